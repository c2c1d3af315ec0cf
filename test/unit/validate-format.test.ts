import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGraph } from '../../src/cli/format/graph.js';
import { formatPlan, planJson } from '../../src/cli/format/plan.js';
import { parseWorkflowTarget } from '../../src/cli/workflow-run/target.js';
import { catalogOf } from '../../src/validate/host/catalog.js';
import type { Diagnostic } from '../../src/validate/diagnostic.js';
import { renderDiagnostic, summarize } from '../../src/validate/diagnostic.js';
import type { Plan } from '../../src/validate/model.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';

const DIAMOND = `name: diamond
jobs:
  top: { command: echo }
  left: { command: echo, network: backend, requires: [ { top: COMPLETED } ] }
  right: { command: echo, requires: [ { top: RUNNING } ] }
  bottom:
    command: echo
    secret_environment: { KEY: hunter2 }
    requires: [ { left: COMPLETED }, { right: FAILED } ]
`;

function diamond(): Plan {
  const r = validateWorkflow(DIAMOND, 'd.yaml', catalogOf({ networks: ['backend'] }));
  assert.ok(r.plan);
  return r.plan;
}

const base: Diagnostic = {
  severity: 'error',
  code: 'c',
  message: 'm',
  file: 'f.yaml',
  line: 2,
  column: 3,
  endLine: 2,
  endColumn: 6,
  related: [],
};

describe('output formats', () => {
  it('renders a diagnostic with its excerpt and a marker under the span', () => {
    assert.equal(
      renderDiagnostic(base, 'a: 1\n\tbcd: 2\n'),
      ['f.yaml:2:3 error c: m', '  2 |  bcd: 2', '    |   ^^^'].join('\n'),
    );
  });

  it('marks to the end of the line when a span covers several lines, and skips the excerpt without source', () => {
    const d = { ...base, endLine: 3, endColumn: 1, hint: 'h' };
    assert.equal(
      renderDiagnostic(d, 'x\n  key: value\nz'),
      ['f.yaml:2:3 error c: m', '  2 |   key: value', '    |   ^^^^^^^^^^', '  hint: h'].join('\n'),
    );
    assert.equal(renderDiagnostic(d), 'f.yaml:2:3 error c: m\n  hint: h');
  });

  it('counts errors and warnings', () => {
    assert.equal(summarize([base]), '1 error');
    assert.equal(summarize([base, base, { ...base, severity: 'warning' }]), '2 errors, 1 warning');
  });

  it('prints the plan as waves with network and conditions', () => {
    assert.equal(
      formatPlan(diamond()),
      [
        "Workflow 'diamond' (d.yaml): 4 jobs in 3 waves",
        '',
        'WAVE  JOB     NETWORK  REQUIRES',
        '1     top     bridge   -',
        '2     left    backend  top (COMPLETED)',
        '2     right   bridge   top (RUNNING)',
        '3     bottom  bridge   left (COMPLETED), right (FAILED)',
      ].join('\n'),
    );
  });

  it('masks secret values in the JSON plan', () => {
    const json = JSON.stringify(planJson(diamond()));
    assert.ok(!json.includes('hunter2'));
    assert.match(json, /"secretEnvironment":\{"KEY":"\*\*\*"\}/);
  });

  it('draws the graph as mermaid, edges labelled with conditions', () => {
    assert.equal(
      formatGraph(diamond(), 'mermaid'),
      [
        'flowchart TD',
        '  j0["top"]',
        '  j1["left"]',
        '  j2["right"]',
        '  j3["bottom"]',
        '  j0 -->|COMPLETED| j1',
        '  j0 -->|RUNNING| j2',
        '  j1 -->|COMPLETED| j3',
        '  j2 -->|FAILED| j3',
      ].join('\n'),
    );
  });

  it('draws the graph as dot', () => {
    assert.equal(
      formatGraph(diamond(), 'dot'),
      [
        'digraph "diamond" {',
        '  node [shape=box];',
        '  "top";',
        '  "left";',
        '  "right";',
        '  "bottom";',
        '  "top" -> "left" [label="COMPLETED"];',
        '  "top" -> "right" [label="RUNNING"];',
        '  "left" -> "bottom" [label="COMPLETED"];',
        '  "right" -> "bottom" [label="FAILED"];',
        '}',
      ].join('\n'),
    );
  });

  it('splits FILE:NAME only after a .yaml or .yml file name', () => {
    assert.deepEqual(parseWorkflowTarget('w.yaml:nightly'), {
      file: 'w.yaml',
      workflow: 'nightly',
    });
    assert.deepEqual(parseWorkflowTarget('dir/w.YML:a-b'), { file: 'dir/w.YML', workflow: 'a-b' });
    assert.deepEqual(parseWorkflowTarget('w.yaml'), { file: 'w.yaml' });
    assert.deepEqual(parseWorkflowTarget('c:/x.yaml'), { file: 'c:/x.yaml' });
    assert.deepEqual(parseWorkflowTarget('odd:name'), { file: 'odd:name' });
  });
});
