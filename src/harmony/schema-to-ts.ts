/**
 * JSON Schema → the TypeScript-like parameter types gpt-oss was trained to read in its
 * `namespace functions { … }` block. The output has to match the harmony reference renderer
 * character for character (see test_render_functions_with_parameters.txt): the model saw exactly
 * this layout during training, so "nicer" TypeScript would be a distribution shift, not a fix.
 * Quirks kept on purpose: string defaults are quoted unless the schema is an enum, `oneOf`
 * properties render one variant per line, and unsupported keywords (anyOf, $ref…) become `any`.
 */

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function isEnum(schema: Schema): boolean {
  return Array.isArray(schema.enum) && schema.enum.length > 0;
}

/** `default: …` as the reference prints it: quoted strings (bare for enums), compact JSON otherwise. */
function formatDefault(value: unknown, schema: Schema): string {
  if (typeof value === 'string') return isEnum(schema) ? value : `"${value}"`;
  return JSON.stringify(value) ?? 'null';
}

function withNullable(type: string, schema: Schema): string {
  return schema.nullable === true && !type.includes('null') ? `${type} | null` : type;
}

function variantComments(variant: Schema, skipDescription: boolean, propertyDescription?: string): string {
  const comments: string[] = [];
  const desc = str(variant.description);
  if (!skipDescription && desc !== undefined && desc !== propertyDescription) comments.push(desc);
  if (variant.default !== undefined) comments.push(`default: ${formatDefault(variant.default, variant)}`);
  return comments.length ? ` // ${comments.join(' ')}` : '';
}

function renderTopLevelOneOf(variants: unknown[], indent: string): string {
  let out = '';
  for (const v of variants) {
    const variant = isObject(v) ? v : {};
    out += `\n${indent} | ${withNullable(schemaToTypeScript(variant, `${indent}   `), variant)}`;
    out += variantComments(variant, false);
  }
  return out;
}

function renderOneOfProperty(key: string, optional: boolean, prop: Schema, variants: unknown[], indent: string): string {
  let out = '';
  const propertyDescription = str(prop.description);
  const first = isObject(variants[0]) ? variants[0] : {};
  // The reference skips the property-level description when the first variant repeats it.
  const describedAbove = propertyDescription !== undefined && str(first.description) !== propertyDescription;
  if (describedAbove) out += `${indent}// ${propertyDescription}\n`;
  if (prop.default !== undefined) out += `${indent}// default: ${formatDefault(prop.default, prop)}\n`;
  out += `${indent}${key}${optional ? '?' : ''}:\n`;
  variants.forEach((v, i) => {
    const variant = isObject(v) ? v : {};
    out += `${indent} | ${withNullable(schemaToTypeScript(variant, `${indent}   `), variant)}`;
    out += `${variantComments(variant, i === 0 && describedAbove, propertyDescription)}\n`;
  });
  return `${out}${indent},\n`;
}

function renderObject(schema: Schema, indent: string): string {
  let out = '';
  const desc = str(schema.description);
  if (desc !== undefined) out += `${indent}// ${desc}\n`;
  out += '{\n';
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : []);
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const [key, raw] of Object.entries(props)) {
    const prop = isObject(raw) ? raw : {};
    const optional = !required.has(key);
    const title = str(prop.title);
    if (title !== undefined) out += `${indent}// ${title}\n${indent}//\n`;
    const oneOf = Array.isArray(prop.oneOf) ? prop.oneOf : undefined;
    const propDesc = str(prop.description);
    if (oneOf === undefined && propDesc !== undefined) out += `${indent}// ${propDesc}\n`;
    if (Array.isArray(prop.examples) && prop.examples.length > 0) {
      out += `${indent}// Examples:\n`;
      for (const ex of prop.examples) if (typeof ex === 'string') out += `${indent}// - "${ex}"\n`;
    }
    if (oneOf !== undefined) {
      out += renderOneOfProperty(key, optional, prop, oneOf, indent);
      continue;
    }
    out += `${indent}${key}${optional ? '?' : ''}: ${withNullable(schemaToTypeScript(prop, `${indent}    `), prop)},`;
    if (prop.default !== undefined) out += ` // default: ${formatDefault(prop.default, prop)}`;
    out += '\n';
  }
  return `${out}${indent}}`;
}

/** Render one JSON Schema node as a TypeScript-like type. */
export function schemaToTypeScript(schema: unknown, indent = ''): string {
  if (!isObject(schema)) return 'any';
  if (Array.isArray(schema.oneOf)) return renderTopLevelOneOf(schema.oneOf, indent);
  const type = schema.type;
  if (Array.isArray(type)) {
    const names = type.filter((t): t is string => typeof t === 'string').map((t) => (t === 'integer' ? 'number' : t));
    if (names.length) return names.join(' | ');
  }
  switch (type) {
    case 'object':
      return renderObject(schema, indent);
    case 'string': {
      const values = Array.isArray(schema.enum) ? schema.enum.filter((v) => typeof v === 'string') : [];
      return values.length ? values.map((v) => `"${v}"`).join(' | ') : 'string';
    }
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return schema.items !== undefined ? `${schemaToTypeScript(schema.items, indent)}[]` : 'Array<any>';
    default:
      return 'any';
  }
}
