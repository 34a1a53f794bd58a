import type { Page, WebSocket as PageSocket } from 'playwright-core';
import { signInAtAuthServer } from './chromium.js';

/** What one of a page's WebSockets received. */
export interface WatchedSocket {
  readonly socket: PageSocket;
  readonly frames: string[];
}

/** Records every WebSocket `page` opens, with the frames it receives, in `into`. */
export function recordSockets(page: Page, into: WatchedSocket[]): void {
  page.on('websocket', (socket) => {
    const watched: WatchedSocket = { socket, frames: [] };
    socket.on('framereceived', (frame) => watched.frames.push(String(frame.payload)));
    into.push(watched);
  });
}

/**
 * Logs `username` in on the todo page served at `origin` (web or the BFF) through the dev
 * auth-server, then waits for the page's live updates to be connected.
 */
export async function logInLive(tab: Page, origin: string, issuer: string, username: string): Promise<void> {
  await tab.goto(`${origin}/`);
  await tab.locator('#login').click();
  await signInAtAuthServer(tab, issuer, username);
  await tab.waitForURL(`${origin}/`);
  await tab.locator('#live-status[data-state="live"]').waitFor();
}

/** Adds a todo with the page's form and waits for it in the list. */
export async function addTodo(tab: Page, title: string): Promise<void> {
  await tab.locator('#todo-title').fill(title);
  await tab.locator('#todo-add').click();
  await tab.locator('#todo-list li', { hasText: title }).waitFor();
}
