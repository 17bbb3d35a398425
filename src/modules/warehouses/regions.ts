/** Kazakhstan's 17 regions (oblys, as of 2024) and its 3 cities of republican significance. */
export const CITY_REGIONS = ['astana', 'almaty_city', 'shymkent'] as const;

export const OBLYS_REGIONS = [
  'abai',
  'akmola',
  'aktobe',
  'almaty_region',
  'atyrau',
  'east_kazakhstan',
  'zhambyl',
  'zhetisu',
  'west_kazakhstan',
  'karaganda',
  'kostanay',
  'kyzylorda',
  'mangystau',
  'pavlodar',
  'north_kazakhstan',
  'turkistan',
  'ulytau',
] as const;

export const REGIONS = [...CITY_REGIONS, ...OBLYS_REGIONS] as const;
export type Region = (typeof REGIONS)[number];
