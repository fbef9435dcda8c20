import { Button } from '@tarojs/components';
import type { ReactNode } from 'react';
import { useRef, useState } from 'react';

export interface ActionButtonProps {
  children: ReactNode;
  /** Runs on a tap; while the promise it returns is pending the button is busy and taps are ignored. */
  onTap: () => unknown;
  disabled?: boolean;
  /** Busy for a reason the page knows (a payment opened elsewhere on the screen). */
  busy?: boolean;
  variant?: 'primary' | 'ghost' | 'danger';
  small?: boolean;
  className?: string;
  testId?: string;
}

/**
 * The one button every shopper page uses for an action. A disabled or busy button ignores taps on every
 * platform: Taro's H5 <Button disabled> still fires onClick, and React state set by a first tap is not yet
 * visible to a second tap in the same frame, so the guard is a ref checked before anything runs.
 */
export function ActionButton({ children, onTap, disabled = false, busy = false, variant = 'primary', small = false, className = '', testId }: ActionButtonProps) {
  const running = useRef(false);
  const [pending, setPending] = useState(false);
  const inert = disabled || busy || pending;

  function tap() {
    if (inert || running.current) return;
    const result = onTap();
    if (!(result instanceof Promise)) return;
    running.current = true;
    setPending(true);
    const done = () => {
      running.current = false;
      setPending(false);
    };
    // The page reports its own failures; the button only needs to know the action ended.
    result.then(done, done);
  }

  return (
    <Button
      className={`btn btn--${variant}${small ? ' btn--small' : ''}${inert ? ' btn--inert' : ''} ${className}`.trim()}
      data-testid={testId}
      data-inert={inert}
      aria-disabled={inert}
      disabled={disabled}
      loading={busy || pending}
      onClick={tap}
    >
      {children}
    </Button>
  );
}
