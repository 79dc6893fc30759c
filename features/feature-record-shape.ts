/**
 * Feature records that share one shape. A record built by adding a hundred-odd properties one by
 * one under computed names (`r[name] = v`) becomes a hash table in V8 (dictionary mode, past 12
 * out-of-object properties): about 8 KB per touch record, 0.8 GB for the demo's 93k training rows.
 * A constructor that assigns every name of a fixed list gives all its records one hidden class
 * with the properties in-object — about 1.7 KB — with the same names, values and key order.
 *
 * The constructor is generated once per name list (names are embedded as JSON string literals, so
 * any name is safe); a list holding '__proto__' gets the plain path, as `r['__proto__'] = v`
 * would set the prototype rather than add a property.
 */
import type { FeatureRecord, FeatureValue } from './training-set.ts';

/** Builds a record whose keys are `names` in order, `values[i]` under `names[i]`. */
export type RecordMaker = (values: readonly FeatureValue[]) => FeatureRecord;

const makers = new Map<string, RecordMaker>();

/** The record maker for a name list (compiled once per distinct list; keep lists few and fixed). */
export function recordMaker(names: readonly string[]): RecordMaker {
  const key = names.join('\u0000');
  let maker = makers.get(key);
  if (!maker) {
    maker = names.includes('__proto__') ? plainMaker(names) : compiledMaker(names);
    makers.set(key, maker);
  }
  return maker;
}

function compiledMaker(names: readonly string[]): RecordMaker {
  const body = names.map((n, i) => `this[${JSON.stringify(n)}] = v[${i}];`).join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated once per name list, from JSON literals only
  const Shape = new Function('v', body) as unknown as { new (v: readonly FeatureValue[]): FeatureRecord; prototype: object };
  // records are plain objects (prototype Object.prototype, constructor Object), as before
  Shape.prototype = Object.prototype;
  return (values) => new Shape(values);
}

function plainMaker(names: readonly string[]): RecordMaker {
  return (values) => {
    const r: FeatureRecord = {};
    names.forEach((n, i) => Object.defineProperty(r, n, { value: values[i] as FeatureValue, enumerable: true, writable: true, configurable: true }));
    return r;
  };
}
