/**
 * Text that reaches the container as it was written. Kubernetes expands `$(NAME)` in a
 * container's command, args and env values and turns `$$` into `$`; rnx passes them verbatim.
 * Doubling each `$` that starts either form keeps the text exactly (`$(date)` stays `$(date)`,
 * `echo $$` still prints the shell's pid). Argo also reads `{{...}}` anywhere in a template as its
 * own expression and has no escape for it: such text is reported, not changed.
 */

/** The text Kubernetes turns back into `text`. */
export function escapeKubernetes(text: string): string {
  return text.replace(/\$(?=[$(])/g, '$$$$');
}

/** True when Argo would read part of `text` as a template expression. */
export function hasArgoExpression(text: string): boolean {
  return text.includes('{{');
}
