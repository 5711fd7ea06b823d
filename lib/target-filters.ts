import { ValidationError } from './errors.js';
import { resolvePlace } from './geo/gazetteer.js';
import type { ResolvedTargetFilters, TargetFilters } from './schemas.js';

/**
 * A request's filters as they are stored and applied: a `near` place resolved to its coordinates. An
 * ambiguous or unknown place is a 422 naming the field (`pointer` is where the filters are in the body) and
 * the places it could be: a filter never guesses where the client meant.
 */
export function resolveTargetFilters(filters: TargetFilters, pointer: string): ResolvedTargetFilters {
  const { near, ...rest } = filters;
  if (near === undefined) return rest;
  if (!('place' in near)) return { ...rest, near };
  const resolution = resolvePlace(near.place);
  if (resolution.status === 'resolved' || resolution.status === 'given')
    return { ...rest, near: { lat: resolution.lat, lon: resolution.lon, place: near.place } };
  const detail =
    resolution.status === 'ambiguous'
      ? `names several places (${resolution.candidates.join('; ')}): add a country or region, or send {lat, lon}`
      : 'is no place the gazetteer knows: check the spelling, or send {lat, lon}';
  throw new ValidationError(`The place "${near.place}" ${detail}.`, [
    { pointer: `${pointer}/near/place`, detail },
  ]);
}
