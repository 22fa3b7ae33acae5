import { useId, useState } from 'react';
import { useChat } from '../state/chat-store';
import { changeStatus } from '../state/directory-actions';

type BusyChoice = 'off' | '30' | '60' | 'evening' | 'at';

const EVENING_HOUR = 18;

/** "18:05" (or with the date when not today), in the viewer's time zone. */
export function untilText(iso: string): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return at.toDateString() === new Date().toDateString()
    ? time
    : `${at.toLocaleDateString([], { weekday: 'short' })} ${time}`;
}

/** The next time of day `hh:mm[:ss]` (tomorrow when it has passed today). */
function nextTimeOfDay(value: string): Date {
  const [h = 0, m = 0, s = 0] = value.split(':').map(Number);
  const at = new Date();
  at.setHours(h, m, s, 0);
  if (at.getTime() <= Date.now()) at.setDate(at.getDate() + 1);
  return at;
}

/** When a Busy picked now ends, or undefined for "until I turn it off" (or no valid time yet). */
function busyUntil(choice: BusyChoice, time: string): string | undefined {
  if (choice === '30' || choice === '60') return new Date(Date.now() + Number(choice) * 60_000).toISOString();
  if (choice === 'evening') return nextTimeOfDay(`${EVENING_HOUR}:00`).toISOString();
  if (choice === 'at' && time) return nextTimeOfDay(time).toISOString();
  return undefined;
}

/** Available / Busy, and for how long Busy lasts; the server switches me back by itself at the end. */
export function StatusControl() {
  const status = useChat((s) => s.myStatus);
  const until = useChat((s) => s.myStatusUntil);
  const connected = useChat((s) => s.connection === 'online');
  const [choice, setChoice] = useState<BusyChoice>('off');
  const [time, setTime] = useState('');
  const selectId = useId();
  const timeId = useId();
  return (
    <div className="status-control">
      <fieldset className="status-toggle">
        <legend className="visually-hidden">My status</legend>
        <button
          type="button"
          aria-pressed={status === 'Available'}
          disabled={!connected}
          onClick={() => void changeStatus('Available')}
        >
          Available
        </button>
        <button
          type="button"
          aria-pressed={status === 'Busy'}
          disabled={!connected || (choice === 'at' && !time)}
          onClick={() => void changeStatus('Busy', busyUntil(choice, time))}
        >
          Busy
        </button>
      </fieldset>
      <label htmlFor={selectId}>Busy for</label>
      <select
        id={selectId}
        className="busy-pick"
        value={choice}
        onChange={(e) => setChoice(e.target.value as BusyChoice)}
      >
        <option value="off">until I turn it off</option>
        <option value="30">30 minutes</option>
        <option value="60">1 hour</option>
        <option value="evening">until {EVENING_HOUR}:00</option>
        <option value="at">until a time…</option>
      </select>
      {choice === 'at' && (
        <>
          <label htmlFor={timeId}>Busy until</label>
          <input
            id={timeId}
            className="busy-pick"
            type="time"
            step={1}
            value={time}
            onChange={(e) => setTime(e.target.value)}
          />
        </>
      )}
      {status === 'Busy' && until && (
        <span className="muted" data-testid="my-status-until">
          Busy until {untilText(until)}
        </span>
      )}
    </div>
  );
}
