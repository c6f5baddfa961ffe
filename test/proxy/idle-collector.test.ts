// One full collection per quiet spell after traffic; none while busy, none while idle with nothing new.
import test from 'ava';
import { IdleCollector } from '../../src/proxy/idle-collector.js';

test('collects once the proxy has been quiet for a whole look after traffic, and only once', (t) => {
  let collections = 0;
  const collector = new IdleCollector(() => collections++);
  t.false(collector.look(), 'nothing happened yet');
  collector.touch();
  t.false(collector.look(), 'busy since the previous look');
  t.true(collector.look(), 'quiet for a whole look');
  t.false(collector.look(), 'still quiet: nothing new to collect');
  t.is(collections, 1);
});

test('a steady trickle of activity never collects; the first quiet look after it does', (t) => {
  let collections = 0;
  const collector = new IdleCollector(() => collections++);
  for (let i = 0; i < 10; i++) {
    collector.touch();
    t.false(collector.look());
  }
  t.true(collector.look());
  t.is(collections, 1);
});
