// The incident record of a reported leak: what the audit log keeps (action `leak-reported`) and
// what goes to the team's KV v2 path in Vault. The schema is shared with the faces (common/leak.ts).
export { incidentSchema, LEAK_OUTCOMES, type Incident, type LeakOutcome } from '../../../common/leak.ts';
