// While the screen is up, console.*, stderr writes and process warnings go to the log, not the terminal.
import test from 'ava';
import { once } from 'node:events';
import { captureOutput, type CapturedLevel } from '../../src/tui/console-capture.js';

test.serial(
  'console, stderr and warnings are routed while captured, muted when asked, and put back after',
  async (t) => {
    const originals = {
      log: console.log,
      error: console.error,
      write: process.stderr.write,
      warningListeners: process.listeners('warning').length,
    };
    const seen: [CapturedLevel, string][] = [];
    const capture = captureOutput((level, text) => seen.push([level, text]));
    try {
      console.error('Error on %s:', 'xterm-256color.Setulc');
      console.log({ a: 1 });
      let called = false;
      process.stderr.write('raw bytes\n', () => (called = true));
      t.true(called, 'a write callback still runs');
      capture.muted = true;
      console.warn('dropped while muted');
      capture.muted = false;
      const warned = once(process, 'warning');
      process.emitWarning('something is deprecated', 'DeprecationWarning');
      await warned;
    } finally {
      capture.restore();
    }
    t.deepEqual(seen, [
      ['error', 'Error on xterm-256color.Setulc:'],
      ['note', '{ a: 1 }'],
      ['warning', 'raw bytes\n'],
      ['warning', 'DeprecationWarning: something is deprecated'],
    ]);
    t.is(console.log, originals.log);
    t.is(console.error, originals.error);
    t.is(process.stderr.write, originals.write);
    t.is(process.listeners('warning').length, originals.warningListeners, "Node's own warning printer is back");
  },
);
