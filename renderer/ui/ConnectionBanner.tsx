// Says when the web console cannot reach (or was refused by) the Peakline server, e.g. a URL
// without its access token; the simulation keeps working locally meanwhile.
import { useEffect, useState } from 'react';

type Subscribe = (
  l: (state: 'connecting' | 'open' | 'closed', reason: string | null) => void,
) => () => void;

/** A status line shown while the API connection is closed with a reason. */
export function ConnectionBanner({ subscribe }: { subscribe: Subscribe }) {
  const [reason, setReason] = useState<string | null>(null);
  useEffect(
    () =>
      subscribe((state, why) => {
        if (state === 'open') setReason(null);
        else if (state === 'closed' && why) setReason(why);
      }),
    [subscribe],
  );
  if (!reason) return null;
  return (
    <p role="alert" className="connection-banner">
      {reason}
    </p>
  );
}
