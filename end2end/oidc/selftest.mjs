// End-to-end self-test for provider.mjs: node end2end/oidc/selftest.mjs
//
// Expects the provider to be running already (same OIDC_PORT / OIDC_REDIRECT_URIS
// environment). Exits 0 when every check passes, 1 otherwise.

import { createHash, createPublicKey, createVerify, randomBytes } from 'node:crypto';

const PORT = process.env.OIDC_PORT || '3299';
const ISSUER = `http://127.0.0.1:${PORT}`;
const REDIRECT_URI = (process.env.OIDC_REDIRECT_URIS || 'http://127.0.0.1:3212/auth/callback')
  .split(',')[0].trim();
const CLIENT_ID = 'atrium';
const CLIENT_SECRET = 'atrium-test-secret';
const SCOPE = 'openid profile email groups';

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const rand = () => b64url(randomBytes(32));

function check(cond, what) {
  if (!cond) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
}

class Jar {
  cookies = new Map();
  store(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now())
        || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function request(jar, url, init = {}) {
  const headers = new Headers(init.headers);
  if (jar && jar.cookies.size) headers.set('cookie', jar.header());
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  if (jar) jar.store(res);
  return res;
}

function authUrl(discovery, { state, nonce, challenge, method = 'S256' }) {
  const u = new URL(discovery.authorization_endpoint);
  u.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    state,
    nonce,
    ...(challenge ? { code_challenge: challenge, code_challenge_method: method } : {}),
  });
  return u.href;
}

// Follows redirects (with the jar) until Location points at the redirect URI.
async function followToCallback(jar, startUrl, maxHops = 10) {
  let url = startUrl;
  for (let i = 0; i < maxHops; i += 1) {
    if (url.startsWith(REDIRECT_URI)) return new URL(url);
    const res = await request(jar, url);
    const loc = res.headers.get('location');
    if (!loc) return { stoppedAt: url, res };
    url = new URL(loc, url).href;
  }
  throw new Error('too many redirects');
}

async function tokenRequest(discovery, code, verifier) {
  return fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier,
    }),
  });
}

async function verifyIdToken(discovery, idToken) {
  const [h, p, s] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const jwks = await (await fetch(discovery.jwks_uri)).json();
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  check(header.alg === 'RS256' && jwk, `ID token is RS256 with kid ${header.kid} published in jwks_uri`);
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  check(ok, 'ID token signature verifies against the JWKS');
  return payload;
}

// Full authorization-code flow up to the code; returns { code, verifier, nonce }.
async function authorize(discovery, jar, username, password, { expectLoginForm = true } = {}) {
  const state = rand();
  const nonce = rand();
  const verifier = rand();
  const challenge = b64url(createHash('sha256').update(verifier).digest());

  let res = await request(jar, authUrl(discovery, { state, nonce, challenge }));
  let loc = new URL(res.headers.get('location'), ISSUER);
  if (expectLoginForm) {
    check(res.status === 303 && /^\/interaction\/[^/]+$/.test(loc.pathname),
      `${username}: authorization request redirects to interaction ${loc.pathname}`);
    const interactionUrl = loc.href;

    res = await request(jar, interactionUrl);
    const html = await res.text();
    check(res.status === 200
      && html.includes('name="username"')
      && /<input[^>]*name="password"[^>]*type="password"|<input[^>]*type="password"[^>]*name="password"/.test(html)
      && html.includes('<button type="submit">Sign in</button>'),
    `${username}: interaction page shows login form (username, password, Sign in)`);

    res = await request(jar, interactionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password: 'wrong-password' }),
    });
    check(res.status === 200 && (await res.text()).includes('Invalid username or password'),
      `${username}: wrong password re-renders form with "Invalid username or password"`);

    res = await request(jar, interactionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }),
    });
    loc = new URL(res.headers.get('location'), interactionUrl);
    check(res.status === 303, `${username}: correct password -> 303 to ${loc.pathname}`);
  }

  const cb = await followToCallback(jar, loc.href);
  check(cb instanceof URL, `${username}: redirects end at redirect_uri (consent skipped)`);
  check(cb.searchParams.get('state') === state, `${username}: state echoed back`);
  check(cb.searchParams.get('iss') === ISSUER, `${username}: iss=${ISSUER} in authorization response (RFC 9207)`);
  const code = cb.searchParams.get('code');
  check(code, `${username}: authorization code received`);
  return { code, verifier, nonce };
}

async function main() {
  const discovery = await (await fetch(`${ISSUER}/.well-known/openid-configuration`)).json();
  check(discovery.issuer === ISSUER, `discovery issuer is ${ISSUER}`);
  check(JSON.stringify(discovery.code_challenge_methods_supported) === '["S256"]', 'only S256 PKCE advertised');
  check(discovery.scopes_supported.includes('groups') && discovery.claims_supported.includes('groups'),
    'groups scope and claim advertised');

  // --- PKCE is mandatory ------------------------------------------------------
  {
    const res = await request(null, authUrl(discovery, { state: 's1', nonce: 'n1' }));
    const loc = new URL(res.headers.get('location'));
    check(loc.href.startsWith(REDIRECT_URI) && loc.searchParams.get('error') === 'invalid_request'
      && /PKCE/.test(loc.searchParams.get('error_description')),
    `request without code_challenge rejected: error=invalid_request (${loc.searchParams.get('error_description')})`);
  }
  {
    const res = await request(null, authUrl(discovery, { state: 's2', nonce: 'n2', challenge: 'x'.repeat(43), method: 'plain' }));
    const loc = new URL(res.headers.get('location'));
    check(loc.searchParams.get('error') === 'invalid_request',
      `code_challenge_method=plain rejected (${loc.searchParams.get('error_description')})`);
  }

  // --- alice: full flow ---------------------------------------------------------
  const jar = new Jar();
  const { code, verifier, nonce } = await authorize(discovery, jar, 'alice', 'alice-pw');

  let res = await tokenRequest(discovery, code, verifier);
  const tokens = await res.json();
  check(res.status === 200 && tokens.id_token && tokens.access_token && tokens.token_type === 'Bearer',
    'code exchanged at token endpoint (client_secret_basic + code_verifier)');
  const claims = await verifyIdToken(discovery, tokens.id_token);
  console.log('   id_token payload:', JSON.stringify(claims));
  check(claims.iss === ISSUER && claims.aud === CLIENT_ID && claims.sub === 'alice', 'ID token iss/aud/sub');
  check(claims.nonce === nonce, 'ID token nonce matches');
  check(JSON.stringify(claims.groups) === '["team-payments"]', 'ID token groups == ["team-payments"]');
  check(claims.name === 'Alice Okafor' && claims.preferred_username === 'alice'
    && claims.email === 'alice@brightcart.example', 'ID token name / preferred_username / email');

  res = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  const userinfo = await res.json();
  check(res.status === 200 && JSON.stringify(userinfo.groups) === '["team-payments"]' && userinfo.sub === 'alice',
    `userinfo returns groups too: ${JSON.stringify(userinfo)}`);

  res = await tokenRequest(discovery, code, verifier);
  const replay = await res.json();
  check(res.status === 400 && replay.error === 'invalid_grant',
    `second exchange of the same code fails: ${res.status} ${replay.error}`);

  // --- alice again (existing session, no login form): wrong verifier ---------------
  {
    const again = await authorize(discovery, jar, 'alice', 'alice-pw', { expectLoginForm: false });
    res = await tokenRequest(discovery, again.code, rand());
    const body = await res.json();
    check(res.status === 400 && body.error === 'invalid_grant',
      `exchange with wrong code_verifier fails: ${res.status} ${body.error} (${body.error_description})`);
  }

  // --- nogroups: no groups claim at all ----------------------------------------------
  {
    const r = await authorize(discovery, new Jar(), 'nogroups', 'nogroups-pw');
    res = await tokenRequest(discovery, r.code, r.verifier);
    const t = await res.json();
    const c = await verifyIdToken(discovery, t.id_token);
    check(c.sub === 'nogroups' && !('groups' in c) && c.nonce === r.nonce,
      `nogroups: ID token has no groups claim (${JSON.stringify(c)})`);
  }

  console.log('\nselftest: all checks passed');
}

main().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
