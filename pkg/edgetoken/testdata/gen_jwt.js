// Prints jwt.json: Global Edge JWT known answers computed with node's own
// crypto (HMAC-SHA256, base64url), not by vodflow, following NCP's steps
// (guide.ncloud-docs.com/docs/en/globaledge-jwt): compact JSON header and
// payload, base64url each, join with '.', HMAC-SHA256 with the key.
// Run: node gen_jwt.js > jwt.json
const crypto = require('crypto');
const b64 = (s) => Buffer.from(s).toString('base64url');
const header = JSON.stringify({ alg: 'HS256', typ: 'JWT' });
const cases = [
  { name: "NCP guide's payload", key: 'globaledge-example-secret', claims: { path: '/foo/bar/example.mp4', exp: 1672455600, nbf: 1669258800, cip: '192.168.200.0/24' } },
  { name: 'path and exp (what vodflow signs)', key: 'k3y-for-vodflow-tests', claims: { path: '/hls/ENC/enc/movies/clip_*', exp: 1700000000 } },
  { name: 'bound to one viewer IP', key: 'k3y-for-vodflow-tests', claims: { path: '/dash/ENC/enc/movies/clip_*', exp: 1700000000, cip: '203.0.113.7' } },
];
const out = cases.map((c) => {
  const signed = b64(header) + '.' + b64(JSON.stringify(c.claims));
  const sig = crypto.createHmac('sha256', c.key).update(signed).digest('base64url');
  return { ...c, token: signed + '.' + sig };
});
console.log(JSON.stringify({ produced_by: 'node ' + process.version + ' crypto, gen_jwt.js', cases: out }, null, 1));
