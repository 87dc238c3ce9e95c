// A real OpenID Connect provider for Atrium's tests, built on oidc-provider 9.
//
//   node end2end/oidc/provider.mjs
//
// Environment:
//   OIDC_PORT                       listen port on 127.0.0.1 (default 3299)
//   OIDC_REDIRECT_URIS              comma-separated redirect URIs for client `atrium`
//                                   (default http://127.0.0.1:3212/auth/callback)
//   OIDC_POST_LOGOUT_REDIRECT_URIS  optional comma-separated post-logout redirect URIs
//
// Test switches (all optional; unset = the behaviour above, which the browser tests use):
//   OIDC_TOKEN_AUTH          token endpoint authentication of client `atrium`, and the only
//                            one advertised: client_secret_basic (default) or client_secret_post
//                            (then a token request with an Authorization header is refused)
//   OIDC_GROUPS_SHAPE        strings (default), objects ([{"name": "team-payments"}]) or
//                            number (42): the `groups` claim in an unusable shape
//   OIDC_USERINFO_SUB        userinfo answers with this `sub` instead of the user's
//   OIDC_CLOCK_OFFSET_SECS   the provider's clock runs this many seconds ahead (iat, exp)
//
// Everything (keys, sessions, grants, codes) lives in memory and is lost on exit.
// See README.md next to this file for the users and the login form.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const PORT = Number.parseInt(process.env.OIDC_PORT || '3299', 10);
const HOST = '127.0.0.1';
const ISSUER = `http://${HOST}:${PORT}`;

const list = (value, fallback) => {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : fallback;
};

// A provider whose clock is off: every time it reads (iat, exp, expiries) moves.
const CLOCK_OFFSET_MS = Number.parseInt(process.env.OIDC_CLOCK_OFFSET_SECS || '0', 10) * 1000;
if (CLOCK_OFFSET_MS) {
  const realNow = Date.now;
  Date.now = () => realNow() + CLOCK_OFFSET_MS;
}

const TOKEN_AUTH = process.env.OIDC_TOKEN_AUTH || 'client_secret_basic';
if (!['client_secret_basic', 'client_secret_post'].includes(TOKEN_AUTH)) {
  throw new Error(`OIDC_TOKEN_AUTH: ${TOKEN_AUTH} is not client_secret_basic or client_secret_post`);
}
const GROUPS_SHAPE = process.env.OIDC_GROUPS_SHAPE || 'strings';
const USERINFO_SUB = process.env.OIDC_USERINFO_SUB || '';

const REDIRECT_URIS = list(process.env.OIDC_REDIRECT_URIS, ['http://127.0.0.1:3212/auth/callback']);
const POST_LOGOUT_REDIRECT_URIS = list(process.env.OIDC_POST_LOGOUT_REDIRECT_URIS, []);

// ---------------------------------------------------------------- users

const USERS = {
  alice: {
    password: 'alice-pw',
    claims: {
      sub: 'alice', name: 'Alice Okafor', preferred_username: 'alice',
      email: 'alice@brightcart.example', email_verified: true, groups: ['team-payments'],
    },
  },
  bob: {
    password: 'bob-pw',
    claims: {
      sub: 'bob', name: 'Bob Lindqvist', preferred_username: 'bob',
      email: 'bob@brightcart.example', email_verified: true, groups: ['team-storefront'],
    },
  },
  admin: {
    password: 'admin-pw',
    claims: {
      sub: 'admin', name: 'Ada Admin', preferred_username: 'admin',
      email: 'admin@brightcart.example', email_verified: true, groups: ['atrium-admins'],
    },
  },
  nogroups: {
    password: 'nogroups-pw',
    // Deliberately no `groups` claim at all.
    claims: {
      sub: 'nogroups', name: 'No Groups', preferred_username: 'nogroups',
      email: 'nogroups@brightcart.example', email_verified: true,
    },
  },
  // An opaque `sub`, as many providers issue; the readable name is preferred_username.
  jonas: {
    password: 'jonas-pw',
    claims: {
      sub: '00u-7f3a9c-jonas', name: 'Jonas Becker', preferred_username: 'jonas.becker',
      email: 'jonas.becker@brightcart.example', email_verified: true, groups: [],
    },
  },
  // Claims someone else's e-mail address, which the provider has not verified.
  mallory: {
    password: 'mallory-pw',
    claims: {
      sub: 'mallory', name: 'Mallory', preferred_username: 'mallory',
      email: 'amara.okafor@brightcart.example', email_verified: false, groups: [],
    },
  },
};

// The `groups` claim as OIDC_GROUPS_SHAPE asks.
const shapeGroups = (claims) => {
  if (!Array.isArray(claims.groups) || GROUPS_SHAPE === 'strings') return claims;
  if (GROUPS_SHAPE === 'objects') return { ...claims, groups: claims.groups.map((name) => ({ name })) };
  if (GROUPS_SHAPE === 'number') return { ...claims, groups: 42 };
  throw new Error(`OIDC_GROUPS_SHAPE: ${GROUPS_SHAPE} is not strings, objects or number`);
};

const userFor = (id) => (Object.hasOwn(USERS, id) ? USERS[id] : undefined);
// Accounts are known by their `sub` (which is the username except for opaque ones).
const accountFor = (sub) => Object.values(USERS).find((u) => u.claims.sub === sub);

// ---------------------------------------------------------------- keys

// A fresh RS256 signing key per run (the ID token's `kid` changes on restart).
const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: `atrium-test-${randomBytes(4).toString('hex')}`,
  use: 'sig',
  alg: 'RS256',
};

// ---------------------------------------------------------------- HTML

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const page = (title, body) => `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:22rem;margin:3rem auto}label,input,button{display:block;width:100%;margin:.3rem 0}.error{color:#b00020}</style>
</head>
<body>
${body}
</body>
</html>`;

const loginPage = (uid, { error, username } = {}) => page('Sign in - Atrium test IdP', `<h1>Atrium test IdP</h1>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" type="text" value="${esc(username ?? '')}" autofocus required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button type="submit">Sign in</button>
</form>
<p><a href="/interaction/${esc(uid)}/abort">Cancel</a></p>`);

// ---------------------------------------------------------------- provider

const configuration = {
  clients: [{
    client_id: 'atrium',
    client_secret: 'atrium-test-secret',
    client_name: 'Atrium',
    application_type: 'web',
    token_endpoint_auth_method: TOKEN_AUTH,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: REDIRECT_URIS,
    ...(POST_LOGOUT_REDIRECT_URIS.length ? { post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS } : {}),
  }],
  // oidc-provider only lets a client authenticate with its registered
  // token_endpoint_auth_method, so only that one is offered (and advertised).
  clientAuthMethods: [TOKEN_AUTH],
  responseTypes: ['code'],

  // PKCE for every authorization request. oidc-provider 9 only implements S256
  // (`plain` is rejected and not advertised).
  pkce: { required: () => true },

  // The custom `groups` scope is registered by listing it here.
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  scopes: ['openid'],

  // Put scope-requested claims into the ID token, not only the userinfo response.
  conformIdTokenClaims: false,

  async findAccount(_ctx, sub) {
    const user = accountFor(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() { return shapeGroups(structuredClone(user.claims)); },
    };
  },

  // Skip consent: every authorization request for a logged-in user gets a grant
  // covering all the OIDC scopes and claims it asks for.
  async loadExistingGrant(ctx) {
    const { provider, client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    let grant = grantId ? await provider.Grant.find(grantId) : undefined;
    if (!grant) {
      grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    }
    const scopes = [...ctx.oidc.requestParamOIDCScopes];
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    const claims = [...ctx.oidc.requestParamClaims];
    if (claims.length) grant.addOIDCClaims(claims);
    await grant.save();
    return grant;
  },

  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // Plain confirmation page without external resources.
      async logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = page('Sign out - Atrium test IdP', `<h1>Sign out of the Atrium test IdP?</h1>
${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Signed out - Atrium test IdP', '<h1>Signed out</h1>');
      },
    },
  },

  interactions: {
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },

  // Distinct names: cookies ignore ports, so the provider's cookies on 127.0.0.1
  // would otherwise also be sent to (and could collide with) the app's on 127.0.0.1.
  cookies: {
    names: {
      session: 'atrium_idp_session',
      interaction: 'atrium_idp_interaction',
      resume: 'atrium_idp_interaction_resume',
    },
    keys: [randomBytes(32).toString('hex')],
  },

  jwks: { keys: [signingKey] },

  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error - Atrium test IdP', `<h1>Error</h1>
${Object.entries(out).map(([k, v]) => `<p><strong>${esc(k)}</strong>: <span class="${esc(k)}">${esc(v)}</span></p>`).join('\n')}`);
  },
};

const provider = new Provider(ISSUER, configuration);

// ---------------------------------------------------------------- interactions

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function sendHtml(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

async function autoConsent(req, res, details) {
  const { prompt, params, session, grantId } = details;
  let grant = grantId ? await provider.Grant.find(grantId) : undefined;
  if (!grant) {
    grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  }
  const d = prompt.details;
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  if (d.missingResourceScopes) {
    for (const [indicator, scope] of Object.entries(d.missingResourceScopes)) {
      grant.addResourceScope(indicator, scope.join(' '));
    }
  }
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, {
    mergeWithLastSubmission: true,
  });
}

// GET  /interaction/:uid        login form (or automatic consent)
// POST /interaction/:uid        username + password
// GET  /interaction/:uid/abort  finish with error=access_denied
async function handleInteraction(req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    sendHtml(res, 400, page('Error - Atrium test IdP', `<h1>Error</h1><p>${esc(err.message)}</p>`));
    return;
  }
  if (details.uid !== uid) {
    sendHtml(res, 400, page('Error - Atrium test IdP', '<h1>Error</h1><p>interaction mismatch</p>'));
    return;
  }

  if (action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (details.prompt.name === 'consent') {
    await autoConsent(req, res, details);
    return;
  }
  if (details.prompt.name !== 'login') {
    sendHtml(res, 501, page('Error', `<p>prompt ${esc(details.prompt.name)} not implemented</p>`));
    return;
  }

  if (req.method === 'GET') {
    sendHtml(res, 200, loginPage(uid));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }

  const body = await readBody(req);
  const username = body.get('username') ?? '';
  const password = body.get('password') ?? '';
  const user = userFor(username);
  if (!user || user.password !== password) {
    sendHtml(res, 200, loginPage(uid, { error: 'Invalid username or password', username }));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.claims.sub } }, {
    mergeWithLastSubmission: false,
  });
}

// ---------------------------------------------------------------- server

const providerCallback = provider.callback();

// OIDC_USERINFO_SUB: rewrite the `sub` of userinfo answers (oidc-provider always sends the
// account's own), to play a provider whose userinfo is about someone else.
function rewriteUserinfoSub(res) {
  const chunks = [];
  const { end } = res;
  res.write = (chunk) => { chunks.push(Buffer.from(chunk)); return true; };
  res.end = (chunk) => {
    if (chunk) chunks.push(Buffer.from(chunk));
    let body = Buffer.concat(chunks);
    try {
      body = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString('utf8')), sub: USERINFO_SUB }));
    } catch { /* not JSON: leave it */ }
    if (!res.headersSent) res.setHeader('content-length', body.length);
    return end.call(res, body);
  };
}

const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url, ISSUER);
  if (USERINFO_SUB && pathname === '/me') rewriteUserinfoSub(res);
  // oidc-provider accepts Basic and post alike for either registration; a strict provider
  // (as OIDC_TOKEN_AUTH=client_secret_post plays) refuses the one it does not offer.
  if (TOKEN_AUTH === 'client_secret_post' && pathname === '/token' && req.headers.authorization) {
    res.writeHead(401, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({
      error: 'invalid_client',
      error_description: 'client authentication method not allowed (use client_secret_post)',
    }));
    return;
  }
  const m = /^\/interaction\/([^/]+)(?:\/(abort))?\/?$/.exec(pathname);
  if (!m) {
    providerCallback(req, res);
    return;
  }
  handleInteraction(req, res, decodeURIComponent(m[1]), m[2]).catch((err) => {
    console.error('interaction error:', err);
    if (!res.headersSent) {
      sendHtml(res, 500, page('Error', `<p>${esc(err.message)}</p>`));
    } else {
      res.end();
    }
  });
});

provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error:', err));

server.listen(PORT, HOST, () => {
  process.stdout.write(`oidc-provider ready on ${ISSUER}\n`);
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
  process.stderr.write(`oidc-provider: ${signal}, shutting down\n`);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
