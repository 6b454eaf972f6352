/** Master IDs are readable and stable: `MDM_` and the identity's cluster number, zero-padded (older = smaller). */
export const masterIdOf = (clusterId: number | string): string => `MDM_${String(clusterId).padStart(10, '0')}`;

/** The cluster number of a master ID, or undefined when the text is not one. */
export const clusterIdOf = (masterId: string): number | undefined => {
  const m = /^MDM_(\d{1,15})$/.exec(masterId);
  return m ? Number(m[1]) : undefined;
};
