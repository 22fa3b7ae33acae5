import type { UserStatus } from '../api/types';

export function Avatar({ src, online }: { src: string; online?: boolean }) {
  return (
    <span className="avatar">
      <img src={src} alt="" width={40} height={40} />
      {online !== undefined && <span className={`dot ${online ? 'dot-on' : 'dot-off'}`} aria-hidden="true" />}
    </span>
  );
}

/** "Online" / "Busy" / "Offline" in words, so presence is not told by colour alone. */
export function presenceText(online: boolean, status: UserStatus | undefined): string {
  if (!online) return 'Offline';
  return status === 'Busy' ? 'Busy' : 'Online';
}
