// Malformed HTTP/2 (bad preface, random frames, oversized and endless header blocks, rapid reset,
// SETTINGS floods, bad WINDOW_UPDATEs, too many streams) against the built CLI proxy as a child process.
import test from 'ava';
import { againstNodeHttp2, throughProxy } from '../helpers/h2-malformed.js';

test(againstNodeHttp2);
test(throughProxy);
