// Malformed HTTP/2 (bad preface, random frames, oversized and endless header blocks, rapid reset,
// SETTINGS floods, bad WINDOW_UPDATEs, too many streams) against the built CLI proxy as a child process.
import test from 'ava';
import { frame, frameHeader, FrameReader, hpackInteger, hpackLiteral, settings } from '../helpers/h2-frames.js';
import { againstNodeHttp2, throughProxy } from '../helpers/h2-malformed.js';

test('the hand-made frames follow RFC 9113 §4.1 and RFC 7541 (C.1 integers, §6.2.2 literals)', (t) => {
  t.is(hpackInteger(10, 5).toString('hex'), '0a');
  t.is(hpackInteger(1337, 5).toString('hex'), '1f9a0a');
  t.is(hpackInteger(42, 8).toString('hex'), '2a');
  // C.2.1's field, in the without-indexing form: a 0x00 first byte instead of 0x40.
  t.is(
    hpackLiteral('custom-key', 'custom-header').toString('hex'),
    '000a637573746f6d2d6b65790d637573746f6d2d686561646572',
  );
  t.is(settings([], true).toString('hex'), '000000040100000000');
  const reader = new FrameReader();
  const bytes = Buffer.concat([frame(0x7, 0, 0, Buffer.alloc(8)), frameHeader(4, 0x3, 0, 0x80000005), Buffer.alloc(4)]);
  t.deepEqual(reader.feed(bytes.subarray(0, 20)).length, 1, 'a frame is read only once whole');
  t.deepEqual(
    reader.feed(bytes.subarray(20)).map((f) => [f.type, f.streamId, f.payload.length]),
    [[3, 5, 4]],
    'the reserved bit is not part of the stream id',
  );
});

test(againstNodeHttp2);
test(throughProxy, 1);
