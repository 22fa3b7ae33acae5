import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type SignedUpUser, sendMessage } from '../support/browser.js';
import {
  type Chromium,
  expectNoSeriousA11yViolations,
  launchChromium,
  type OpenedPage,
  openPage,
  screenshotDir,
} from '../support/chromium.js';
import {
  type E2eStack,
  printLogsOnFailure,
  socketsPerNode,
  startE2eStack,
  waitForSocketTotal,
} from '../support/e2e-stack.js';
import { ensureWebClientBuilt } from '../support/web-build.js';
import {
  logInInPage,
  logInThroughApi,
  messageWith,
  openConversation,
  type PageUser,
  rowOf,
  sawBanner,
  sendInPage,
  shownTexts,
  signUpInPage,
  tryLogIn,
  watchForBanner,
} from '../support/web-client.js';

// One stack and one browser for the whole file; the scenarios run in order and build on each other
// (the same two people throughout), the node kill last.
const WAIT = { timeout: 15_000, interval: 100 };
let e2e: E2eStack | undefined;
let chromium: Chromium;
let a: OpenedPage;
let b: OpenedPage;
let alice: PageUser;
let bob: PageUser;
/** Every text of the conversation between Alice and Bob, in the order it was sent. */
const history: string[] = [];

const stack = (): E2eStack => {
  if (!e2e) throw new Error('no stack');
  return e2e;
};
const cspErrors = (opened: OpenedPage) => opened.errors.filter((e) => /Content Security Policy/i.test(e));
const tickOf = (opened: OpenedPage, text: string) =>
  messageWith(opened.page, text).locator('[data-tick]').getAttribute('data-tick');

/** The conversation shows the end of the history exactly: in order, nothing missing, nothing twice. */
async function showsTheLatest(opened: OpenedPage): Promise<boolean> {
  const shown = await shownTexts(opened.page);
  return shown.length >= 30 && JSON.stringify(shown) === JSON.stringify(history.slice(-shown.length));
}

const apiUser = (user: PageUser): Promise<SignedUpUser> => logInThroughApi(stack().url, user);

printLogsOnFailure(() => e2e);

beforeAll(async () => {
  ensureWebClientBuilt();
  e2e = await startE2eStack(2);
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await e2e?.stop();
});

describe('the web client in Chromium, through the gateway', () => {
  test('the login page is served at /, loads under the CSP, is accessible at phone and desktop widths', async () => {
    for (const width of [375, 1280]) {
      const opened = await openPage(chromium.browser, width);
      const started = Date.now();
      await opened.page.goto(stack().url);
      await opened.page.getByRole('heading', { name: 'Log in' }).waitFor();
      console.info(`web client first load at ${width}px: ${Date.now() - started} ms (to the login form)`);
      await expectNoSeriousA11yViolations(opened.page);
      await opened.page.screenshot({ path: path.join(screenshotDir, `login-${width}.png`) });
      expect(cspErrors(opened)).toEqual([]);
      await opened.context.close();
    }
  });

  test('the signup form states the password rule, and a common password is refused in the server’s words', async () => {
    const { page, context } = await openPage(chromium.browser, 375);
    await page.goto(stack().url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    const password = page.getByLabel('Password', { exact: true });
    expect(await password.getAttribute('minlength')).toBe('8');
    const hintId = await password.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${hintId}"]`).innerText()).toBe(
      'At least 8 characters, and not a common password.',
    );

    await page.getByLabel('Full name').fill('Common Password');
    await page.getByLabel('Username').fill(`common-${Date.now().toString(36)}`);
    await password.fill('Sunshine');
    await page.getByLabel('Confirm password').fill('Sunshine');
    const answered = page.waitForResponse((res) => res.url().endsWith('/api/auth/signup'));
    await page.getByRole('button', { name: 'Sign up' }).click();
    expect((await answered).status()).toBe(400);
    await expect
      .poll(() => page.locator('.form-error').innerText(), WAIT)
      .toBe('This password is one of the most common passwords; choose another');
    await context.close();
  });

  test('two people sign up in two browsers, see each other online and exchange messages live', async () => {
    a = await openPage(chromium.browser, 1280);
    b = await openPage(chromium.browser, 375);
    alice = await signUpInPage(a.page, stack().url, 'alice');
    bob = await signUpInPage(b.page, stack().url, 'bob');
    await expect.poll(() => rowOf(a.page, bob).locator('[data-presence]').innerText(), WAIT).toBe('Online');
    await expect.poll(() => rowOf(b.page, alice).locator('[data-presence]').innerText(), WAIT).toBe('Online');

    const search = a.page.getByRole('searchbox', { name: 'Search people' });
    await search.fill('zz-nobody-by-that-name');
    await a.page.getByText('No one found.').waitFor();
    await search.fill(bob.username.toUpperCase());
    await rowOf(a.page, bob).waitFor();
    await search.fill('');

    await openConversation(a.page, bob);
    await sendInPage(a.page, 'Hi Bob, it is Alice');
    history.push('Hi Bob, it is Alice');
    await expect
      .poll(() => rowOf(b.page, alice).locator('[data-testid="unread"]').innerText(), WAIT)
      .toMatch(/^1/);
    await expect.poll(() => rowOf(b.page, alice).innerText(), WAIT).toContain('Hi Bob, it is Alice');
    await expect.poll(() => b.page.title(), WAIT).toBe('(1) Chat');
    await expect.poll(() => tickOf(a, 'Hi Bob, it is Alice'), WAIT).toBe('delivered');

    // By keyboard: focus Alice's row, Enter opens the conversation, Enter in the composer sends.
    await rowOf(b.page, alice).focus();
    await b.page.keyboard.press('Enter');
    await b.page.getByRole('heading', { name: alice.fullName }).waitFor();
    await expect.poll(() => shownTexts(b.page), WAIT).toEqual(history);
    await expect(rowOf(b.page, alice).locator('[data-testid="unread"]').count()).resolves.toBe(0);
    await expect.poll(() => tickOf(a, 'Hi Bob, it is Alice'), WAIT).toBe('read');
    await sendInPage(b.page, 'Hello Alice!');
    history.push('Hello Alice!');
    await expect.poll(() => shownTexts(a.page), WAIT).toEqual(history);

    await expectNoSeriousA11yViolations(a.page);
    await expectNoSeriousA11yViolations(b.page);
    await a.page.screenshot({ path: path.join(screenshotDir, 'conversation-1280.png') });
    await b.page.screenshot({ path: path.join(screenshotDir, 'conversation-375.png') });
    expect([...cspErrors(a), ...cspErrors(b)]).toEqual([]);
  });

  test('while Alice is Busy, Bob sees his messages deferred; they arrive in order when she is back', async () => {
    await a.page.getByRole('button', { name: 'Busy' }).click();
    await expect
      .poll(() => a.page.getByRole('button', { name: 'Busy' }).getAttribute('aria-pressed'), WAIT)
      .toBe('true');
    await expect.poll(() => b.page.getByTestId('peer-presence').innerText(), WAIT).toBe('Busy');

    const held = ['held one', 'held two', 'held three'];
    for (const text of held) {
      await sendInPage(b.page, text);
      await expect.poll(() => tickOf(b, text), WAIT).toBe('deferred');
    }
    expect(await shownTexts(a.page)).toEqual(history);

    await a.page.getByRole('button', { name: 'Available' }).click();
    history.push(...held);
    await expect.poll(() => shownTexts(a.page), WAIT).toEqual(history);
    // Alice has the conversation open, so "delivered" may already have turned into "read".
    for (const text of held) await expect.poll(() => tickOf(b, text), WAIT).toMatch(/^(delivered|read)$/);
    await expect.poll(() => b.page.getByTestId('peer-presence').innerText(), WAIT).toBe('Online');
  });

  test('Alice is Busy until a time: Bob is deferred, she is switched back by herself and told what waited', async () => {
    // A few seconds ahead in the browser's own clock and time zone, as the time input reads it.
    const soon = await a.page.evaluate(() => {
      const at = new Date(Date.now() + 6_000);
      return [at.getHours(), at.getMinutes(), at.getSeconds()]
        .map((n) => String(n).padStart(2, '0'))
        .join(':');
    });
    await a.page.getByLabel('Busy for').selectOption({ label: 'until a time…' });
    await a.page.getByLabel('Busy until').fill(soon);
    await a.page.getByRole('button', { name: 'Busy' }).click();
    await expect.poll(() => a.page.getByTestId('my-status-until').innerText(), WAIT).toMatch(/^Busy until /);

    const held = ['busy-until one', 'busy-until two'];
    for (const text of held) {
      await sendInPage(b.page, text);
      await expect.poll(() => tickOf(b, text), WAIT).toBe('deferred');
    }
    await expect
      .poll(() => a.page.getByRole('button', { name: 'Available' }).getAttribute('aria-pressed'), WAIT)
      .toBe('true');
    expect(await a.page.getByTestId('my-status-until').count()).toBe(0);
    const notice = a.page.getByTestId('held-summary');
    await expect.poll(() => notice.innerText(), WAIT).toContain(`2 messages from ${bob.fullName}`);
    history.push(...held);
    await expect.poll(() => shownTexts(a.page), WAIT).toEqual(history);
    await a.page.screenshot({ path: path.join(screenshotDir, 'held-summary-1280.png') });
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await notice.waitFor({ state: 'detached' });
  });

  test('Bob sees Alice typing until her message arrives', async () => {
    const typingNote = b.page.getByText(`${alice.fullName} is typing…`);
    await a.page.getByLabel('Message', { exact: true }).pressSequentially('Are you', { delay: 30 });
    await typingNote.waitFor();
    await a.page.getByLabel('Message', { exact: true }).pressSequentially(' free later?');
    await a.page.getByLabel('Message', { exact: true }).press('Enter');
    history.push('Are you free later?');
    await expect.poll(() => shownTexts(b.page), WAIT).toEqual(history);
    await typingNote.waitFor({ state: 'detached' });
  });

  test('Alice edits and deletes her own messages; Bob sees both live', async () => {
    await sendInPage(a.page, 'See you at 5');
    history.push('See you at 5');
    await expect.poll(() => shownTexts(b.page), WAIT).toEqual(history);
    await messageWith(a.page, 'See you at 5').getByRole('button', { name: 'Edit' }).click();
    const editor = a.page.getByLabel('Edit message');
    await editor.fill('See you at 6');
    await editor.press('Enter');
    history[history.length - 1] = 'See you at 6';
    await expect.poll(() => shownTexts(b.page), WAIT).toEqual(history);
    await messageWith(b.page, 'See you at 6').getByText('edited').waitFor();
    await messageWith(a.page, 'See you at 6').getByText('edited').waitFor();

    await sendInPage(a.page, 'oops, wrong chat');
    await expect.poll(() => shownTexts(b.page), WAIT).toContain('oops, wrong chat');
    await messageWith(a.page, 'oops, wrong chat').getByRole('button', { name: 'Delete' }).click();
    await b.page.locator('li.message', { hasText: 'Message deleted' }).waitFor();
    await a.page.locator('li.message', { hasText: 'Message deleted' }).waitFor();
    await expect.poll(() => shownTexts(b.page), WAIT).toEqual(history);
    await expect.poll(() => shownTexts(a.page), WAIT).toEqual(history);
    // Only the sender gets the controls.
    expect(await messageWith(b.page, 'See you at 6').getByRole('button', { name: 'Edit' }).count()).toBe(0);
  });

  test('history survives a reload, and older pages load as Alice scrolls up', async () => {
    const from = await apiUser(bob);
    const to = { ...alice, cookie: '' };
    for (let i = 1; i <= 70; i++) {
      const text = `backlog ${String(i).padStart(2, '0')}`;
      await sendMessage(stack().url, from, to, text);
      history.push(text);
    }
    await a.page.reload();
    // The list knows the last message before the conversation is opened (GET /api/conversations).
    await expect.poll(() => rowOf(a.page, bob).innerText(), WAIT).toContain('backlog 70');
    await openConversation(a.page, bob);
    await expect.poll(() => shownTexts(a.page), WAIT).toEqual(history.slice(-30));

    const list = a.page.getByRole('list', { name: 'Messages' });
    const start = a.page.getByText('Start of your conversation');
    await expect
      .poll(async () => {
        await list.evaluate((el) => {
          el.scrollTop = 0;
        });
        return start.isVisible();
      }, WAIT)
      .toBe(true);
    expect(await shownTexts(a.page)).toEqual(history);
  });

  test('Alice blocks Bob: the composer gives way to a note, which a reload keeps, until she unblocks', async () => {
    await a.page.getByRole('button', { name: 'Block' }).click();
    await a.page.getByText(`You blocked ${bob.fullName}.`).waitFor();
    await expect.poll(() => rowOf(a.page, bob).innerText(), WAIT).toContain('Blocked');
    expect(await a.page.getByLabel('Message', { exact: true }).count()).toBe(0);
    const bobBox = b.page.getByLabel('Message', { exact: true });
    await bobBox.fill('are you there?');
    await bobBox.press('Enter');
    await expect
      .poll(() => b.page.getByRole('alert').innerText(), WAIT)
      .toContain("You can't message this user");
    expect(await bobBox.inputValue()).toBe('are you there?');
    await a.page.reload();
    await openConversation(a.page, bob);
    await a.page.getByText(`You blocked ${bob.fullName}.`).waitFor();

    await a.page.getByRole('button', { name: 'Unblock' }).click();
    await a.page.getByLabel('Message', { exact: true }).waitFor();
    await expect.poll(() => rowOf(a.page, bob).innerText(), WAIT).not.toContain('Blocked');
    await b.page.getByRole('button', { name: 'Dismiss' }).click();
    await sendInPage(b.page, 'are you there?');
    history.push('are you there?');
    await expect.poll(() => showsTheLatest(a), WAIT).toBe(true);
  });

  test('logging out returns to the login page and closes the socket; logging in again resumes', async () => {
    await waitForSocketTotal(stack(), 2);
    // On a phone the conversation fills the screen; the people list (with Log out) is one step back.
    await b.page.getByRole('button', { name: 'Back to conversations' }).click();
    await b.page.getByRole('button', { name: 'Log out' }).click();
    await b.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await waitForSocketTotal(stack(), 1);

    // Refusals show the server's own words: a wrong password, then a rate-limited username.
    const alert = b.page.locator('.form-error');
    await tryLogIn(b.page, bob.username, 'not the password');
    await expect.poll(() => alert.innerText(), WAIT).toBe('Invalid username or password');
    const stranger = `nobody-${bob.username.slice(-8)}`;
    for (let attempt = 0; attempt < 10 && !(await alert.innerText()).startsWith('Too many'); attempt++)
      await tryLogIn(b.page, stranger, 'not the password');
    expect(await alert.innerText()).toMatch(/^Too many requests, try again later \(in about \d+ (s|min)\)$/);

    // While Bob is away Alice writes twice: back, he finds them counted and previewed from the server.
    for (const text of ['while you were out 1', 'while you were out 2']) {
      await sendInPage(a.page, text);
      history.push(text);
    }
    await logInInPage(b.page, bob);
    const badge = rowOf(b.page, alice).locator('[data-testid="unread"]');
    await expect.poll(() => badge.innerText(), WAIT).toMatch(/^2/);
    await expect.poll(() => rowOf(b.page, alice).innerText(), WAIT).toContain('while you were out 2');
    expect(await tickOf(a, 'while you were out 2')).not.toBe('read');
    await waitForSocketTotal(stack(), 2);
    await openConversation(b.page, alice);
    await expect.poll(() => shownTexts(b.page), WAIT).toEqual(history.slice(-30));
    await expect.poll(() => badge.count(), WAIT).toBe(0);
    await expect.poll(() => tickOf(a, 'while you were out 2'), WAIT).toBe('read');
    await b.context.close();
    await waitForSocketTotal(stack(), 1);
  });

  test('signing out everywhere from one browser signs the other browser of the same person out; logging in again works', async () => {
    const first = await openPage(chromium.browser, 1280);
    const second = await openPage(chromium.browser, 1280);
    try {
      const carol = await signUpInPage(first.page, stack().url, 'carol');
      await second.page.goto(stack().url);
      await logInInPage(second.page, carol);
      await waitForSocketTotal(stack(), 3);

      await first.page.getByRole('button', { name: 'Sign out everywhere' }).click();

      await first.page.getByRole('heading', { name: 'Log in' }).waitFor();
      await second.page.getByRole('heading', { name: 'Log in' }).waitFor();
      await expect
        .poll(() => second.page.locator('.notice, [role="status"]').allInnerTexts(), WAIT)
        .toContainEqual(expect.stringMatching(/session ended/i));
      await waitForSocketTotal(stack(), 1);
      await logInInPage(second.page, carol);
      await waitForSocketTotal(stack(), 2);
      expect(cspErrors(first)).toEqual([]);
    } finally {
      await first.context.close();
      await second.context.close();
    }
    await waitForSocketTotal(stack(), 1);
  });

  test('a realtime node dies mid-conversation: the banner shows, the client reconnects, nothing is lost or doubled', async () => {
    const perNode = await socketsPerNode(stack());
    const victim = [...perNode].find(([, count]) => count === 1)?.[0];
    if (!victim) throw new Error(`cannot tell Alice's node: ${JSON.stringify([...perNode])}`);
    const from = await apiUser(bob);
    const to = { ...alice, cookie: '' };

    await watchForBanner(a.page);
    stack().stack.service(victim).child.kill('SIGKILL');
    await expect.poll(() => sawBanner(a.page), WAIT).toBe(true);
    const meanwhile = [
      'sent while you were away 1',
      'sent while you were away 2',
      'sent while you were away 3',
    ];
    for (const text of meanwhile) await sendMessage(stack().url, from, to, text);
    history.push(...meanwhile);
    await a.page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 30_000 });
    // Caught up by `sync` (replayed through the live handlers): each one shows once.
    await expect.poll(() => showsTheLatest(a), WAIT).toBe(true);
    for (const text of meanwhile)
      expect(await a.page.locator('li.message', { hasText: text }).count()).toBe(1);

    await sendMessage(stack().url, from, to, 'and one after');
    history.push('and one after');
    await sendInPage(a.page, 'back again');
    history.push('back again');
    await expect.poll(() => showsTheLatest(a), WAIT).toBe(true);
  });
});
