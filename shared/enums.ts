// Types and values that mirror database enums, taken from the generated
// types so that a new enum value reaches TypeScript with `npm run gen:types`
// instead of by hand.
import { Constants, type Database } from "./database.types.ts";

type DbEnums = Database["public"]["Enums"];

export type Provider = DbEnums["channel_provider"];
export type MessageType = DbEnums["message_type"];
export type MessageDirection = DbEnums["message_direction"];
export type TemplateCategory = DbEnums["template_category"];
export type MediaType = DbEnums["media_type"];
export type OrderStatus = DbEnums["order_status"];
export type AgentTableKind = DbEnums["agent_table_kind"];

export const dbEnums = Constants.public.Enums;
