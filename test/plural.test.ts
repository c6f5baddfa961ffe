// Counted nouns and articles: "1 certificate", "an antivirus".
import test from 'ava';
import { count, withArticle } from '../src/plural.js';

test('a count agrees with its number', (t) => {
  t.is(count(1, 'certificate'), '1 certificate');
  t.is(count(0, 'certificate'), '0 certificates');
  t.is(count(146, 'certificate'), '146 certificates');
  t.is(count(2, 'proxy', 'proxies'), '2 proxies');
});

test('the article agrees with the word after it', (t) => {
  t.is(withArticle('antivirus'), 'an antivirus');
  t.is(withArticle('corporate proxy'), 'a corporate proxy');
  t.is(withArticle('debugging proxy'), 'a debugging proxy');
});
