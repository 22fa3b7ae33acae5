import { type FormEvent, useId, useState } from 'react';
import { errorMessage } from '../state/directory-actions';
import { login, signup } from '../state/session-actions';
import { NoticeBar } from './notice-bar';

type Mode = 'login' | 'signup';

function Field(props: {
  label: string;
  name: string;
  type?: string;
  autoComplete: string;
  minLength?: number;
  maxLength?: number;
  /** A rule shown under the field and read out with it. */
  hint?: string;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        autoComplete={props.autoComplete}
        minLength={props.minLength}
        maxLength={props.maxLength}
        aria-describedby={props.hint ? hintId : undefined}
        required
      />
      {props.hint && (
        <p className="field-hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

// The server's rule (the signup schema's minimum, and its list of common passwords); the server decides.
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters, and not a common password.`;

function read(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value : '';
}

function submitCredentials(mode: Mode, form: HTMLFormElement): Promise<void> {
  if (mode === 'login') return login(read(form, 'username'), read(form, 'password'));
  return signup({
    fullName: read(form, 'fullName'),
    username: read(form, 'username'),
    password: read(form, 'password'),
    confirmPassword: read(form, 'confirmPassword'),
    gender: read(form, 'gender') === 'male' ? 'male' : 'female',
  });
}

function SignupExtras() {
  return (
    <>
      <Field label="Confirm password" name="confirmPassword" type="password" autoComplete="new-password" />
      <fieldset className="field gender">
        <legend>Gender</legend>
        <label>
          <input type="radio" name="gender" value="female" defaultChecked /> Female
        </label>
        <label>
          <input type="radio" name="gender" value="male" /> Male
        </label>
      </fieldset>
    </>
  );
}

/** Log in or sign up; a refusal is shown in the server's own words (wrong password, taken name, 429…). */
export function AuthPage() {
  const [mode, setMode] = useState<Mode>('login');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await submitCredentials(mode, event.currentTarget);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const isLogin = mode === 'login';
  return (
    <main className="auth">
      <NoticeBar />
      <form className="auth-card" onSubmit={submit} aria-labelledby="auth-title" key={mode}>
        <h1 id="auth-title">{isLogin ? 'Log in' : 'Create an account'}</h1>
        {!isLogin && <Field label="Full name" name="fullName" autoComplete="name" maxLength={50} />}
        <Field label="Username" name="username" autoComplete="username" maxLength={30} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete={isLogin ? 'current-password' : 'new-password'}
          minLength={isLogin ? undefined : PASSWORD_MIN_LENGTH}
          hint={isLogin ? undefined : PASSWORD_HINT}
        />
        {!isLogin && <SignupExtras />}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {isLogin ? 'Log in' : 'Sign up'}
        </button>
        <p className="switch">
          {isLogin ? 'New here? ' : 'Already have an account? '}
          <button type="button" className="link" onClick={() => setMode(isLogin ? 'signup' : 'login')}>
            {isLogin ? 'Create an account' : 'Log in instead'}
          </button>
        </p>
      </form>
    </main>
  );
}
