/**
 * The POI kit's version, the one source of it: every POI subgraph reports the version it is
 * built on (/ready, `subgraph_build_info`). Raise it with every change to the kit a POI could
 * notice (schema, behaviour), so an operator sees which POIs run which kit.
 */
export const KIT_VERSION = '1.1.0';
