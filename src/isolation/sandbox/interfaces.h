/* The job's network interfaces, set up by its PID 1 in its own network namespace (interfaces.c). */
#ifndef RNX_SANDBOX_INTERFACES_H
#define RNX_SANDBOX_INTERFACES_H

/* lo up; exits 1 when it cannot be. */
void loopback_up(void);
/* eth0 (made by rnx in this namespace) given ADDRESS/PREFIX, up, the default route via GATEWAY;
 * exits 1 when it cannot be. */
void eth0_up(const char *address, const char *gateway);

#endif
