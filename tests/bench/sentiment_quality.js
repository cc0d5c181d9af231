// sentiment_quality.js - Pearson correlation with the dev-set ratings per
// category, and recall on clear complaints (compound < -0.05), for hark
// and a reference.  Used by tests/bench/sentiment.sh.
//   node sentiment_quality.js DEV.tsv HARK_SCORES REF_SCORES
'use strict';
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n')
  .filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
const load = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l !== '').map(Number);
const hark = load(process.argv[3]);
const ref = load(process.argv[4]);
if (hark.length !== rows.length || ref.length !== rows.length) {
  console.error(`line counts differ: dev ${rows.length}, hark ${hark.length}, ref ${ref.length}`);
  process.exit(2);
}
function pearson(x, y) {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : 0;
}
const cats = [...new Set(rows.map((r) => r[0]))];
console.log('category      n    hark r   VADER r   hark-VADER');
let worse = 0;
for (const c of cats.concat(['all'])) {
  const idx = rows.map((r, i) => i).filter((i) => c === 'all' || rows[i][0] === c);
  const rating = idx.map((i) => Number(rows[i][1]));
  const h = pearson(idx.map((i) => hark[i]), rating);
  const v = pearson(idx.map((i) => ref[i]), rating);
  if (h < v) worse++;
  console.log(`${c.padEnd(10)} ${String(idx.length).padStart(4)}   ${h.toFixed(3).padStart(7)}   ${v.toFixed(3).padStart(7)}   ${(h - v).toFixed(3).padStart(8)}`);
}
const comp = rows.map((r, i) => i).filter((i) => rows[i][2] === '1');
const caught = (s) => comp.filter((i) => s[i] < -0.05).length;
console.log(`clear complaints: ${comp.length}; caught (compound < -0.05): hark ${caught(hark)} (${(100 * caught(hark) / comp.length).toFixed(1)}%), VADER ${caught(ref)} (${(100 * caught(ref) / comp.length).toFixed(1)}%)`);
if (process.env.SHOW_MISSES) {
  rows.forEach((r, i) => {
    const want = Number(r[1]);
    if ((want < 0 && hark[i] >= -0.05) || (want > 0 && hark[i] <= 0.05) || (want === 0 && Math.abs(hark[i]) > 0.5))
      console.log(`miss ${r[0]} ${want} hark ${hark[i].toFixed(3)} vader ${ref[i].toFixed(3)}  ${r[3]}`);
  });
}
process.exit(worse ? 1 : 0);
