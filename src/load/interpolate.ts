// `${VAR}` / `${VAR:-default}` / `${VAR:?message}` in scalar values, filled from the environment, with
// `$${` as the escape for a literal `${`. The same forms as Docker Compose, so manifests can be promoted
// across environments (`num_replicas: ${REPLICAS:-3}`).

export type Env = Readonly<Record<string, string | undefined>>;

export type InterpolationResult =
  | { ok: true; value: string; changed: boolean }
  | { ok: false; message: string };

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolate(text: string, env: Env): InterpolationResult {
  if (!text.includes("${")) return { ok: true, value: text, changed: false };
  let out = "";
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf("${", i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    // `$${` is an escaped `${`: keep one `$` and the brace literally.
    if (start > 0 && text[start - 1] === "$") {
      out += text.slice(i, start - 1) + "${";
      i = start + 2;
      continue;
    }
    out += text.slice(i, start);
    const end = text.indexOf("}", start + 2);
    if (end < 0) {
      return {
        ok: false,
        message: `unterminated "\${" in "${text}": close it with "}" or write "$\${" for a literal "\${"`,
      };
    }
    const body = text.slice(start + 2, end);
    if (body.includes("${")) {
      // `${A:-${B}}` would end at the first `}` and leave `${B}` in the value as text, silently.
      return {
        ok: false,
        message: `"${text}" puts one \${...} inside another, which is not supported: give a plain default, or write "$\${" for a literal "\${"`,
      };
    }
    const resolved = resolve(body, env);
    if (!resolved.ok) return resolved;
    out += resolved.value;
    i = end + 1;
  }
  return { ok: true, value: out, changed: true };
}

function resolve(body: string, env: Env): { ok: true; value: string } | { ok: false; message: string } {
  const op = /^([^:?-]*)(:-|:\?|-|\?)?([\s\S]*)$/.exec(body);
  const name = op?.[1] ?? body;
  if (!NAME_RE.test(name)) {
    return {
      ok: false,
      message: `"\${${body}}" is not a variable reference: use \${NAME}, \${NAME:-default} or \${NAME:?message}`,
    };
  }
  const operator = op?.[2];
  const arg = op?.[3] ?? "";
  const value = env[name];
  switch (operator) {
    case undefined:
      if (arg !== "") break;
      if (value === undefined) {
        return {
          ok: false,
          message: `environment variable ${name} is not set: set it, or give a default with \${${name}:-value}`,
        };
      }
      return { ok: true, value };
    case ":-":
      return { ok: true, value: value === undefined || value === "" ? arg : value };
    case "-":
      return { ok: true, value: value === undefined ? arg : value };
    case ":?":
    case "?":
      if (value === undefined || (operator === ":?" && value === "")) {
        return { ok: false, message: `environment variable ${name} is required: ${arg || "it is not set"}` };
      }
      return { ok: true, value };
  }
  return {
    ok: false,
    message: `"\${${body}}" is not a variable reference: use \${NAME}, \${NAME:-default} or \${NAME:?message}`,
  };
}

/**
 * Re-types the text of a plain (unquoted) scalar after interpolation, by the YAML 1.2 core schema, so that
 * `num_replicas: ${R:-3}` is the number 3 and `deny_delete: ${LOCKED:-false}` a boolean. Quoted scalars stay
 * strings, as they would without interpolation.
 */
export function retypePlainScalar(text: string): unknown {
  if (text === "") return "";
  if (/^(?:null|Null|NULL|~)$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number.parseInt(text, 10);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^0o[0-7]+$/.test(text)) return Number.parseInt(text.slice(2), 8);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text))
    return Number.parseFloat(text);
  // The core schema's infinities and NaN, so that `${X}` with X=.inf reads as `.inf` written out would.
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return Number.NaN;
  return text;
}
