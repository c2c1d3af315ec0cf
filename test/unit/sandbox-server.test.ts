/** The frames rnx sends `rnx-sandbox --serve` and the replies it reads (sandbox-server.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReply, requestFrame } from '../../src/isolation/sandbox/sandbox-server.js';

describe('the sandbox server protocol', () => {
  it('frames a request as a length and NUL-terminated fields, argv[0] being the file', () => {
    const frame = requestFrame(7, {
      file: '/x/rnx-sandbox',
      args: ['--caps', 'a b'],
      env: { PATH: '/usr/bin', UNSET: undefined },
      stdio: ['ignore', { path: '/run/out', flags: 'w' }, 'pipe', { path: '/run/go', flags: 'r+' }],
      fds: { info: 2, status: 3 },
    });
    assert.equal(frame.readUInt32LE(0), frame.length - 4);
    assert.deepEqual(frame.subarray(4).toString().split('\0'), [
      '7',
      '/x/rnx-sandbox',
      '3',
      '/x/rnx-sandbox',
      '--caps',
      'a b',
      '1',
      'PATH=/usr/bin',
      '4',
      '-',
      'w/run/out',
      '|',
      '+/run/go',
      '2',
      '3',
      '',
    ]);
  });

  it('reads each reply line: spawned, info, closed (code or signal, exit code or none), error', () => {
    assert.deepEqual(parseReply('3 spawned 123'), { id: 3, kind: 'spawned', pid: 123 });
    assert.deepEqual(parseReply('3 info 124'), { id: 3, kind: 'info', childPid: 124 });
    assert.deepEqual(parseReply('3 closed 7 0 7'), {
      id: 3,
      kind: 'closed',
      code: 7,
      signal: null,
      exitCode: 7,
    });
    assert.deepEqual(parseReply('3 closed -1 9 -1'), {
      id: 3,
      kind: 'closed',
      code: null,
      signal: 'SIGKILL',
    });
    assert.deepEqual(parseReply('4 error /nope: No such file or directory'), {
      id: 4,
      kind: 'closed',
      code: null,
      signal: null,
      error: '/nope: No such file or directory',
    });
    assert.equal(parseReply('garbage'), undefined);
  });
});
