import { uniqueName } from '@chat/shared/testing';
import type { Locator, Page } from 'playwright-core';

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
