// sentiment_vader.js - the reference for tests/bench/sentiment.sh: scores
// stdin lines with npm's vader-sentiment.
//   node sentiment_vader.js MODULE_DIR bench   < lines  -> "lines wall_s cpu_s sink"
//   node sentiment_vader.js MODULE_DIR scores  < lines  -> one compound per line
'use strict';
const fs = require('fs');
const path = require('path');
const vader = require(path.join(process.argv[2], 'node_modules', 'vader-sentiment'));
const mode = process.argv[3] || 'scores';
const text = fs.readFileSync(0, 'utf8');
const lines = text.split('\n');
if (lines.length && lines[lines.length - 1] === '') lines.pop();
const score = (s) => vader.SentimentIntensityAnalyzer.polarity_scores(s).compound;
if (mode === 'bench') {
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const l of lines) sink += score(l);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c1 = process.cpuUsage(c0);
  const cpu = (c1.user + c1.system) / 1e6;
  process.stdout.write(`${lines.length} ${secs.toFixed(4)} ${cpu.toFixed(4)} ${sink.toFixed(2)}\n`);
} else {
  const out = lines.map((l) => score(l).toFixed(4));
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
}
