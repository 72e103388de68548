/** One-line error or notice under a form. */
export function ErrorLine({ error }: { error: string | undefined | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
