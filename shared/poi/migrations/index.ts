export const POI_MIGRATIONS = [];
