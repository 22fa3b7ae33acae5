import { describe, expect, test } from 'vitest';
import { escapeXml, hueOf, initialsOf, renderAvatarSvg } from '../src/domain/avatar.js';
import { bodyOf, newSignup, type PublicUser, postJson, useAuth } from './support/auth-app.js';

describe('renderAvatarSvg', () => {
  test('escapes everything it embeds', () => {
    const svg = renderAvatarSvg(`<script>alert("x")</script>&'`);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('is deterministic and takes up to two initials', () => {
    expect(renderAvatarSvg('john.doe')).toBe(renderAvatarSvg('john.doe'));
    expect(initialsOf('john.doe')).toBe('JD');
    expect(initialsOf('alice')).toBe('A');
    expect(hueOf('Alice')).toBe(hueOf('alice'));
    expect(hueOf('alice')).not.toBe(hueOf('bob'));
  });
});

describe('GET /api/auth/avatar/:name.svg', () => {
  const auth = useAuth();

  test("serves the signup's profilePic as a cacheable SVG without any token", async () => {
    const res = await postJson(
      `${auth.url}/api/auth/signup`,
      newSignup({ username: `mary.jane_${Date.now()}` }),
    );
    const { profilePic } = await bodyOf<PublicUser>(res);

    const avatar = await fetch(new URL(profilePic, auth.url));

    expect(avatar.status).toBe(200);
    expect(avatar.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(avatar.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(avatar.headers.get('x-content-type-options')).toBe('nosniff');
    const svg = await avatar.text();
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('>MJ</text>');
  });

  test.each([
    ['markup in the name', '%3Cscript%3E.svg'],
    ['a quote in the name', 'a%22b.svg'],
    ['another extension', 'alice.png'],
    ['no name', '.svg'],
    ['a 31-character name', `${'a'.repeat(31)}.svg`],
  ])('refuses %s with a 400', async (_name, file) => {
    const res = await fetch(`${auth.url}/api/auth/avatar/${file}`);
    expect(res.status).toBe(400);
    expect((await bodyOf(res)).error).toBe('Invalid avatar name');
  });
});
