/** Containment, with bwrap + setpriv setting jobs up (RNX_SANDBOX=bwrap). */
import { containmentSuite } from './containment-suite.js';

process.env['RNX_SANDBOX'] = 'bwrap';
containmentSuite('a contained job (bwrap + setpriv)', 'bwrap');
