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
}) {
  const id = useId();
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
        required
      />
    </div>
  );
}

function read(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value : '';
}

export function AuthPage() {
  const [mode, setMode] = useState<Mode>('login');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setBusy(true);
    setError(null);
    try {
      if (mode === 'login') await login(read(form, 'username'), read(form, 'password'));
      else
        await signup({
          fullName: read(form, 'fullName'),
          username: read(form, 'username'),
          password: read(form, 'password'),
          confirmPassword: read(form, 'confirmPassword'),
          gender: read(form, 'gender') === 'male' ? 'male' : 'female',
        });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const title = mode === 'login' ? 'Log in' : 'Create an account';
  return (
    <main className="auth">
      <NoticeBar />
      <form className="auth-card" onSubmit={submit} aria-labelledby="auth-title" key={mode}>
        <h1 id="auth-title">{title}</h1>
        {mode === 'signup' && <Field label="Full name" name="fullName" autoComplete="name" maxLength={50} />}
        <Field label="Username" name="username" autoComplete="username" maxLength={30} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          minLength={mode === 'signup' ? 6 : undefined}
        />
        {mode === 'signup' && (
          <>
            <Field
              label="Confirm password"
              name="confirmPassword"
              type="password"
              autoComplete="new-password"
            />
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
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {mode === 'login' ? 'Log in' : 'Sign up'}
        </button>
        <p className="switch">
          {mode === 'login' ? 'New here? ' : 'Already have an account? '}
          <button
            type="button"
            className="link"
            onClick={() => setMode(mode === 'login' ? 'signup' : 'login')}
          >
            {mode === 'login' ? 'Create an account' : 'Log in instead'}
          </button>
        </p>
      </form>
    </main>
  );
}
