import { createHash } from 'node:crypto';
import { AVATAR_NAME_PATTERN } from '@chat/shared/api';

/** The project-served avatar of `username`: relative, so it resolves on the gateway's origin offline. */
export function avatarPath(username: string): string {
  return `/api/auth/avatar/${encodeURIComponent(username)}.svg`;
}

export function isValidAvatarName(name: string): boolean {
  return AVATAR_NAME_PATTERN.test(name);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** Up to two initials: the first letter of the first two words ("john.doe" → "JD"), else the first letter. */
export function initialsOf(name: string): string {
  const words = name.split(/[\s._-]+/).filter((w) => w.length > 0);
  const letters = words.length >= 2 ? [words[0], words[1]] : [words[0] ?? '?'];
  return letters
    .map((w) => Array.from(w ?? '')[0] ?? '')
    .join('')
    .toUpperCase();
}

/** A stable hue for `name` (case-insensitive), so a user keeps their colour everywhere. */
export function hueOf(name: string): number {
  const digest = createHash('sha256').update(name.toLowerCase()).digest();
  return digest.readUInt16BE(0) % 360;
}

/** A deterministic 128×128 SVG: initials on a colour derived from the name. Everything user-derived is escaped. */
export function renderAvatarSvg(name: string): string {
  const hue = hueOf(name);
  const initials = escapeXml(initialsOf(name));
  const label = escapeXml(name);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" role="img" aria-label="${label}">`,
    `<title>${label}</title>`,
    `<rect width="128" height="128" rx="64" fill="hsl(${hue}, 55%, 45%)"/>`,
    `<text x="64" y="64" dy=".35em" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="52" font-weight="600" fill="#ffffff">${initials}</text>`,
    '</svg>',
  ].join('');
}
