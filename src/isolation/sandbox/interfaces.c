/*
 * The job's network interfaces, set up by its PID 1 in its own network namespace before its
 * command runs: lo, and for a job on a network its eth0, whose veth peer rnx made in this
 * namespace (phase 2, before the go): `--eth0 ADDRESS/PREFIX GATEWAY` gives it its leased IPv4
 * address (the broadcast address derived, as `ip address add ... broadcast +` does), brings it up
 * and adds the default route through the network's gateway. What `nsenter --net ip -batch` did
 * before, in three processes started by rnx for every job (src/networks/attach.ts still does it
 * that way for bwrap). A few ioctls on one socket: the kernel adds the prefix's route itself.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "interfaces.h"

static void fail(const char *step, const char *what) {
  int saved = errno;
  fprintf(stderr, "rnx-sandbox: %s %s: %s\n", step, what, strerror(saved));
  _exit(1);
}

static void set_up(int s, const char *name) {
  struct ifreq ifr = { 0 };
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail("interface", name);
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail("interface up", name);
}

void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail("socket", "lo");
  set_up(s, "lo");
  close(s);
}

static struct sockaddr ipv4(in_addr_t address) {
  struct sockaddr sa;
  struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr = { .s_addr = address } };
  memset(&sa, 0, sizeof sa);
  memcpy(&sa, &in, sizeof in);
  return sa;
}

/* The address and prefix of `text` (ADDRESS/PREFIX); exits 1 on anything else. */
static void parse_cidr(const char *text, struct in_addr *address, in_addr_t *mask) {
  char buf[64];
  const char *slash = strchr(text, '/');
  char *end;
  if (slash == NULL || (size_t)(slash - text) >= sizeof buf) goto bad;
  memcpy(buf, text, (size_t)(slash - text));
  buf[slash - text] = '\0';
  long prefix = strtol(slash + 1, &end, 10);
  if (*end != '\0' || end == slash + 1 || prefix < 1 || prefix > 32) goto bad;
  if (inet_pton(AF_INET, buf, address) != 1) goto bad;
  *mask = htonl(prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix));
  return;
bad:
  errno = EINVAL;
  fail("address", text);
}

void eth0_up(const char *cidr, const char *gateway) {
  struct in_addr address, via;
  in_addr_t mask;
  parse_cidr(cidr, &address, &mask);
  if (inet_pton(AF_INET, gateway, &via) != 1) {
    errno = EINVAL;
    fail("gateway", gateway);
  }
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail("socket", "eth0");
  struct ifreq ifr = { 0 };
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "eth0");
  ifr.ifr_addr = ipv4(address.s_addr);
  if (ioctl(s, SIOCSIFADDR, &ifr) < 0) fail("address", cidr);
  ifr.ifr_netmask = ipv4(mask);
  if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) fail("netmask", cidr);
  ifr.ifr_broadaddr = ipv4(address.s_addr | ~mask);
  if (ioctl(s, SIOCSIFBRDADDR, &ifr) < 0) fail("broadcast", cidr);
  set_up(s, "eth0");
  struct rtentry route = { 0 };
  route.rt_dst = ipv4(INADDR_ANY);
  route.rt_genmask = ipv4(INADDR_ANY);
  route.rt_gateway = ipv4(via.s_addr);
  route.rt_flags = RTF_UP | RTF_GATEWAY;
  route.rt_dev = ifr.ifr_name;
  if (ioctl(s, SIOCADDRT, &route) < 0) fail("default route via", gateway);
  close(s);
}
