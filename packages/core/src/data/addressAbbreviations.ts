// Maps, not object literals: lookups of arbitrary tokens must not hit Object.prototype ('CONSTRUCTOR').
function toMap(o: Record<string, string>): ReadonlyMap<string, string> {
  return new Map(Object.entries(o));
}

/** USPS Publication 28 style street-type abbreviations (common subset plus a few AU/UK types). */
export const STREET_TYPES: ReadonlyMap<string, string> = toMap({
  ALLEY: 'ALY', ALLY: 'ALY', AVENUE: 'AVE', AV: 'AVE', AVEN: 'AVE', AVENU: 'AVE', AVN: 'AVE', AVNUE: 'AVE', BOULEVARD: 'BLVD', BOUL: 'BLVD', BOULV: 'BLVD',
  CIRCLE: 'CIR', CIRC: 'CIR', CIRCL: 'CIR', CRCL: 'CIR', CIRCUIT: 'CCT', CLOSE: 'CL', COURT: 'CT', CRT: 'CT', COVE: 'CV', CRESCENT: 'CRES', CRESENT: 'CRES', CRSENT: 'CRES',
  CROSSING: 'XING', DRIVE: 'DR', DRIV: 'DR', DRV: 'DR', ESPLANADE: 'ESP', EXPRESSWAY: 'EXPY', FREEWAY: 'FWY', GARDENS: 'GDNS', GARDEN: 'GDN', GROVE: 'GRV',
  HEIGHTS: 'HTS', HIGHWAY: 'HWY', HIGHWY: 'HWY', HIWAY: 'HWY', LANE: 'LN', LOOP: 'LOOP', MOUNT: 'MT', MOUNTAIN: 'MTN', PARADE: 'PDE', PARK: 'PARK',
  PARKWAY: 'PKWY', PARKWY: 'PKWY', PKWAY: 'PKWY', PLACE: 'PL', PLAZA: 'PLZ', POINT: 'PT', ROAD: 'RD', ROUTE: 'RTE', SQUARE: 'SQ', SQR: 'SQ',
  STREET: 'ST', STR: 'ST', STRT: 'ST', STREETS: 'STS', TERRACE: 'TER', TERR: 'TER', TRAIL: 'TRL', TURNPIKE: 'TPKE', WAY: 'WAY',
});

export const DIRECTIONALS: ReadonlyMap<string, string> = toMap({
  NORTH: 'N', SOUTH: 'S', EAST: 'E', WEST: 'W', NORTHEAST: 'NE', NORTHWEST: 'NW', SOUTHEAST: 'SE', SOUTHWEST: 'SW',
});

/** Secondary-unit designators; the token after one of these is the unit number. */
export const UNIT_DESIGNATORS: ReadonlySet<string> = new Set(['APT', 'APARTMENT', 'UNIT', 'STE', 'SUITE', 'FLAT', 'RM', 'ROOM', 'FL', 'FLOOR', 'BLDG', 'LOT', 'SPACE', 'SPC', 'TRLR', 'DEPT', 'NO']);

export const US_STATES: ReadonlyMap<string, string> = toMap({
  ALABAMA: 'AL', ALASKA: 'AK', ARIZONA: 'AZ', ARKANSAS: 'AR', CALIFORNIA: 'CA', COLORADO: 'CO', CONNECTICUT: 'CT', DELAWARE: 'DE', FLORIDA: 'FL', GEORGIA: 'GA',
  HAWAII: 'HI', IDAHO: 'ID', ILLINOIS: 'IL', INDIANA: 'IN', IOWA: 'IA', KANSAS: 'KS', KENTUCKY: 'KY', LOUISIANA: 'LA', MAINE: 'ME', MARYLAND: 'MD',
  MASSACHUSETTS: 'MA', MICHIGAN: 'MI', MINNESOTA: 'MN', MISSISSIPPI: 'MS', MISSOURI: 'MO', MONTANA: 'MT', NEBRASKA: 'NE', NEVADA: 'NV', 'NEW HAMPSHIRE': 'NH',
  'NEW JERSEY': 'NJ', 'NEW MEXICO': 'NM', 'NEW YORK': 'NY', 'NORTH CAROLINA': 'NC', 'NORTH DAKOTA': 'ND', OHIO: 'OH', OKLAHOMA: 'OK', OREGON: 'OR',
  PENNSYLVANIA: 'PA', 'RHODE ISLAND': 'RI', 'SOUTH CAROLINA': 'SC', 'SOUTH DAKOTA': 'SD', TENNESSEE: 'TN', TEXAS: 'TX', UTAH: 'UT', VERMONT: 'VT',
  VIRGINIA: 'VA', WASHINGTON: 'WA', 'WEST VIRGINIA': 'WV', WISCONSIN: 'WI', WYOMING: 'WY', 'DISTRICT OF COLUMBIA': 'DC', 'PUERTO RICO': 'PR',
});

export const COUNTRIES: ReadonlyMap<string, string> = toMap({
  US: 'US', USA: 'US', 'UNITED STATES': 'US', 'UNITED STATES OF AMERICA': 'US', AMERICA: 'US', AU: 'AU', AUS: 'AU', AUSTRALIA: 'AU',
  UK: 'GB', GB: 'GB', GBR: 'GB', 'UNITED KINGDOM': 'GB', 'GREAT BRITAIN': 'GB', ENGLAND: 'GB', CA: 'CA', CAN: 'CA', CANADA: 'CA',
  DE: 'DE', DEU: 'DE', GERMANY: 'DE', FR: 'FR', FRA: 'FR', FRANCE: 'FR', NZ: 'NZ', NZL: 'NZ', 'NEW ZEALAND': 'NZ', IE: 'IE', IRELAND: 'IE',
  MX: 'MX', MEXICO: 'MX', IN: 'IN', INDIA: 'IN', ES: 'ES', SPAIN: 'ES', IT: 'IT', ITALY: 'IT', NL: 'NL', NETHERLANDS: 'NL',
});

export const NAME_TITLES: ReadonlySet<string> = new Set(['MR', 'MRS', 'MS', 'MISS', 'MX', 'DR', 'PROF', 'REV', 'SIR', 'DAME', 'LORD', 'LADY', 'HON', 'CAPT', 'COL', 'SGT', 'LT', 'MAJ', 'GEN', 'FR', 'MASTER', 'MADAM', 'MME', 'MLLE', 'HERR', 'FRAU']);
export const NAME_SUFFIXES: ReadonlySet<string> = new Set(['JR', 'SR', 'JNR', 'SNR', 'II', 'III', 'IV', 'V', 'VI', '2ND', '3RD', '4TH', 'ESQ', 'PHD', 'MD', 'DDS', 'CPA', 'RN', 'JUNIOR', 'SENIOR']);
