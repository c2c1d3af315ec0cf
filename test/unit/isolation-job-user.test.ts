/** Who a job runs as, on literal user databases; and paths read inside a root, on a temp tree. */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hostPathInRoot } from '../../src/isolation/filesystem/in-root.js';
import {
  checkUserSpec,
  parseGroup,
  parsePasswd,
  readUserDatabase,
  resolveUser,
  type UserDatabase,
} from '../../src/isolation/start/job-user.js';
import { tempDir } from '../helpers/cli.js';

const DB: UserDatabase = {
  passwd: parsePasswd(
    [
      '# comment',
      'root:x:0:0:root:/root:/bin/sh',
      'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
      'app:x:1000:1000::/home/app:/bin/sh',
      'broken:x:notanumber:1::/:/bin/sh',
      '',
    ].join('\n'),
  ),
  groups: parseGroup(
    ['root:x:0:', 'www-data:x:33:', 'app:x:1000:', 'docker:x:999:app,other', 'audio:x:29:app'].join(
      '\n',
    ),
  ),
  where: 'the host',
};

function resolved(spec: string): unknown {
  const r = resolveUser(spec, DB);
  return r.ok ? r.value : r.problem.code;
}

describe('job user', () => {
  it('resolves a name with its group and every group that lists it', () => {
    assert.deepEqual(resolved('app'), { uid: 1000, gid: 1000, groups: [1000, 999, 29] });
    assert.deepEqual(resolved('www-data'), { uid: 33, gid: 33, groups: [33] });
  });

  it('takes a listed UID as that user, an unlisted one with group 0 and no other group', () => {
    assert.deepEqual(resolved('1000'), { uid: 1000, gid: 1000, groups: [1000, 999, 29] });
    assert.deepEqual(resolved('4242'), { uid: 4242, gid: 0, groups: [0] });
  });

  it('replaces the primary group with :GROUP or :GID and keeps the others', () => {
    assert.deepEqual(resolved('app:www-data'), { uid: 1000, gid: 33, groups: [33, 999, 29] });
    assert.deepEqual(resolved('4242:4243'), { uid: 4242, gid: 4243, groups: [4243] });
    assert.deepEqual(resolved('app:999'), { uid: 1000, gid: 999, groups: [999, 29] });
  });

  it('refuses unknown names with the closest one, and malformed or too large ids', () => {
    assert.equal(resolved('ap'), 'user-unknown');
    assert.equal(resolved('broken'), 'user-unknown'); // its line is not a valid entry
    assert.equal(resolved('app:dockr'), 'group-unknown');
    const r = resolveUser('ww-data', DB);
    assert.ok(!r.ok);
    assert.match(r.problem.message, /did you mean 'www-data'\?/);
    for (const bad of ['', 'a:b:c', 'App', '4294967295', '1:4294967295', ':1', 'app:']) {
      assert.equal(checkUserSpec(bad).ok, false, bad);
    }
    assert.equal(checkUserSpec('4294967294:0').ok, true);
  });
});

describe('reading a root', () => {
  const t = tempDir('rnx-in-root-');
  after(() => t.cleanup());

  it('follows links inside the root, never out of it', () => {
    const root = join(t.dir, 'root');
    mkdirSync(join(root, 'etc', 'real'), { recursive: true });
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'etc', 'real', 'passwd'), 'svc:x:77:78::/:/bin/sh\n');
    symlinkSync('/etc/real/passwd', join(root, 'etc', 'passwd')); // absolute: inside the root
    symlinkSync('../../../../../../etc/real', join(root, 'data', 'up'));
    symlinkSync('loop', join(root, 'loop'));
    assert.equal(hostPathInRoot(root, '/etc/passwd'), join(root, 'etc', 'real', 'passwd'));
    assert.equal(hostPathInRoot(root, '/data/up/passwd'), join(root, 'etc', 'real', 'passwd'));
    assert.equal(hostPathInRoot(root, '/loop/x'), undefined);
    const db = readUserDatabase(root, "runtime 'svc'");
    assert.deepEqual(db.passwd, [{ name: 'svc', uid: 77, gid: 78 }]);
    assert.deepEqual(db.groups, []); // no /etc/group: no groups, no error
    const r = resolveUser('svc', db);
    assert.deepEqual(r.ok ? r.value : r, { uid: 77, gid: 78, groups: [78] });
  });
});
