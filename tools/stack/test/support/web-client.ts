import { uniqueName } from '@chat/shared/testing';
import type { Locator, Page } from 'playwright-core';
import { browser as apiClient, jwtCookieOf, type SignedUpUser } from './browser.js';

export interface PageUser {
  _id: string;
  username: string;
  fullName: string;
  password: string;
}

export const PASSWORD = 'correct horse battery';

/** Signs up through the form and waits for the chat page; returns who the page is now signed in as. */
export async function signUpInPage(page: Page, url: string, prefix: string): Promise<PageUser> {
  const username = uniqueName(prefix).slice(0, 30);
  const fullName = `${prefix[0]?.toUpperCase()}${prefix.slice(1)} ${username.slice(-6)}`;
  await page.goto(url);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Full name').fill(fullName);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
  return { _id: (me as { _id: string })._id, username, fullName, password: PASSWORD };
}

export async function logInInPage(page: Page, user: PageUser): Promise<void> {
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** The row of `peer` in the people list. */
export function rowOf(page: Page, peer: PageUser): Locator {
  return page.locator(`button.user-row[data-user-id="${peer._id}"]`);
}

export async function openConversation(page: Page, peer: PageUser): Promise<void> {
  await rowOf(page, peer).click();
  await page.getByRole('heading', { name: peer.fullName }).waitFor();
}

export async function sendInPage(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await page.locator('li.message.mine .text', { hasText: text }).last().waitFor();
}

/** The texts shown in the open conversation, top to bottom. */
export function shownTexts(page: Page): Promise<string[]> {
  return page.locator('li.message .text').allInnerTexts();
}

/** The message bubble of `text` (mine or theirs). */
export function messageWith(page: Page, text: string): Locator {
  return page.locator('li.message', { has: page.locator('.text', { hasText: text }) });
}

/** Submits the login form and waits for the server's answer and the form to be ready again. */
export async function tryLogIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  const answered = page.waitForResponse((res) => res.url().endsWith('/api/auth/login'));
  await page.getByRole('button', { name: 'Log in' }).click();
  await answered;
  await page.getByRole('button', { name: 'Log in' }).and(page.locator(':enabled')).waitFor();
}

/** Logs `user` in through the API: a cookie for sends made outside the browser. */
export async function logInThroughApi(url: string, user: PageUser): Promise<SignedUpUser> {
  const reply = await apiClient(url).post('/api/auth/login', {
    username: user.username,
    password: user.password,
  });
  const cookie = jwtCookieOf(reply.headers);
  if (reply.status !== 200 || !cookie) throw new Error(`login failed: ${reply.status}`);
  return { ...user, cookie };
}

/** Makes the page remember whether the reconnecting banner ever showed (it may be brief). */
export async function watchForBanner(page: Page): Promise<void> {
  await page.evaluate(() => {
    const doc = Reflect.get(globalThis, 'document') as {
      querySelector(selector: string): unknown;
      body: unknown;
    };
    const Observer = Reflect.get(globalThis, 'MutationObserver') as new (
      callback: () => void,
    ) => { observe(node: unknown, options: { childList: boolean; subtree: boolean }): void };
    new Observer(() => {
      if (doc.querySelector('[data-testid="reconnecting"]')) Reflect.set(globalThis, 'sawBanner', true);
    }).observe(doc.body, { childList: true, subtree: true });
  });
}

export async function sawBanner(page: Page): Promise<boolean> {
  return (await page.evaluate(() => Reflect.get(globalThis, 'sawBanner'))) === true;
}
