export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
  "public": {
    Tables: {
      "activity_log": {
        Row: {
          "action": string;
          "actor_id": string | null;
          "category": string;
          "created_at": string;
          "data": Json | null;
          "entity_id": string | null;
          "entity_type": string | null;
          "error": string | null;
          "id": number;
          "ip_address": unknown;
          "level": Database["public"]["Enums"]["log_level"];
          "message": string | null;
          "success": boolean;
          "user_agent": string | null;
          "workspace_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "action": string;
          "actor_id"?: string | null;
          "category": string;
          "created_at"?: string;
          "data"?: Json | null;
          "entity_id"?: string | null;
          "entity_type"?: string | null;
          "error"?: string | null;
          "id"?: never;
          "ip_address"?: unknown;
          "level"?: Database["public"]["Enums"]["log_level"];
          "message"?: string | null;
          "success"?: boolean;
          "user_agent"?: string | null;
          "workspace_id"?: string | null;
        };
        Update: {
          "action"?: string;
          "actor_id"?: string | null;
          "category"?: string;
          "created_at"?: string;
          "data"?: Json | null;
          "entity_id"?: string | null;
          "entity_type"?: string | null;
          "error"?: string | null;
          "id"?: never;
          "ip_address"?: unknown;
          "level"?: Database["public"]["Enums"]["log_level"];
          "message"?: string | null;
          "success"?: boolean;
          "user_agent"?: string | null;
          "workspace_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "activity_log_actor_id_fkey";
            columns: ["actor_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "activity_log_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "agent_channels": {
        Row: {
          "agent_id": number;
          "channel_id": string;
          "created_at": string;
          "id": number;
          "is_active": boolean;
          "updated_at": string;
          "user_id": string | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_id": number;
          "channel_id": string;
          "created_at"?: string;
          "id"?: number;
          "is_active"?: boolean;
          "updated_at"?: string;
          "user_id"?: string | null;
          "workspace_id": string;
        };
        Update: {
          "agent_id"?: number;
          "channel_id"?: string;
          "created_at"?: string;
          "id"?: number;
          "is_active"?: boolean;
          "updated_at"?: string;
          "user_id"?: string | null;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "agent_channels_agent_id_workspace_id_fkey";
            columns: ["agent_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "agents";
            referencedColumns: ["id", "workspace_id"];
          },
          {
            foreignKeyName: "agent_channels_channel_id_workspace_id_fkey";
            columns: ["channel_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "channels";
            referencedColumns: ["id", "workspace_id"];
          },
          {
            foreignKeyName: "agent_channels_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "agent_tables": {
        Row: {
          "agent_id": number;
          "created_at": string;
          "kind": Database["public"]["Enums"]["agent_table_kind"];
          "table_name": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_id": number;
          "created_at"?: string;
          "kind": Database["public"]["Enums"]["agent_table_kind"];
          "table_name": string;
          "workspace_id": string;
        };
        Update: {
          "agent_id"?: number;
          "created_at"?: string;
          "kind"?: Database["public"]["Enums"]["agent_table_kind"];
          "table_name"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "agent_tables_agent_id_workspace_id_fkey";
            columns: ["agent_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "agents";
            referencedColumns: ["id", "workspace_id"];
          },
        ];
      };
      "agents": {
        Row: {
          "agent_prefix": string;
          "created_at": string;
          "created_by": string;
          "id": number;
          "name": string;
          "user_id": string | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_prefix"?: never;
          "created_at"?: string;
          "created_by": string;
          "id"?: number;
          "name": string;
          "user_id"?: string | null;
          "workspace_id": string;
        };
        Update: {
          "agent_prefix"?: never;
          "created_at"?: string;
          "created_by"?: string;
          "id"?: number;
          "name"?: string;
          "user_id"?: string | null;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "agents_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agents_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agents_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "api_keys": {
        Row: {
          "created_at": string;
          "created_by": string | null;
          "expires_at": string | null;
          "id": string;
          "key_hash": string;
          "key_prefix": string;
          "last_used_at": string | null;
          "name": string;
          "permissions": (string)[];
          "rate_limit_per_minute": number | null;
          "revoked_at": string | null;
          "revoked_by": string | null;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "created_by"?: string | null;
          "expires_at"?: string | null;
          "id"?: string;
          "key_hash": string;
          "key_prefix": string;
          "last_used_at"?: string | null;
          "name": string;
          "permissions"?: (string)[];
          "rate_limit_per_minute"?: number | null;
          "revoked_at"?: string | null;
          "revoked_by"?: string | null;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "created_at"?: string;
          "created_by"?: string | null;
          "expires_at"?: string | null;
          "id"?: string;
          "key_hash"?: string;
          "key_prefix"?: string;
          "last_used_at"?: string | null;
          "name"?: string;
          "permissions"?: (string)[];
          "rate_limit_per_minute"?: number | null;
          "revoked_at"?: string | null;
          "revoked_by"?: string | null;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "api_keys_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "api_keys_revoked_by_fkey";
            columns: ["revoked_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "api_keys_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "auto_splits": {
        Row: {
          "category": string;
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "is_active": boolean;
          "name": string;
          "split_type": Database["public"]["Enums"]["split_type"];
          "updated_at": string;
          "value": number;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "category": string;
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "name": string;
          "split_type": Database["public"]["Enums"]["split_type"];
          "updated_at"?: string;
          "value": number;
          "workspace_id": string;
        };
        Update: {
          "category"?: string;
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "name"?: string;
          "split_type"?: Database["public"]["Enums"]["split_type"];
          "updated_at"?: string;
          "value"?: number;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "auto_splits_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "auto_splits_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "automation_runs": {
        Row: {
          "automation_id": string;
          "conversation_id": string | null;
          "created_at": string;
          "error": string | null;
          "id": number;
          "message_id": string | null;
          "reply_message_id": string | null;
          "status": Database["public"]["Enums"]["automation_run_status"];
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "automation_id": string;
          "conversation_id"?: string | null;
          "created_at"?: string;
          "error"?: string | null;
          "id"?: never;
          "message_id"?: string | null;
          "reply_message_id"?: string | null;
          "status": Database["public"]["Enums"]["automation_run_status"];
          "workspace_id": string;
        };
        Update: {
          "automation_id"?: string;
          "conversation_id"?: string | null;
          "created_at"?: string;
          "error"?: string | null;
          "id"?: never;
          "message_id"?: string | null;
          "reply_message_id"?: string | null;
          "status"?: Database["public"]["Enums"]["automation_run_status"];
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "automation_runs_automation_id_fkey";
            columns: ["automation_id"];
            isOneToOne: false;
            referencedRelation: "automations";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "automation_runs_conversation_id_fkey";
            columns: ["conversation_id"];
            isOneToOne: false;
            referencedRelation: "conversations";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "automation_runs_message_id_fkey";
            columns: ["message_id"];
            isOneToOne: false;
            referencedRelation: "messages";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "automation_runs_reply_message_id_fkey";
            columns: ["reply_message_id"];
            isOneToOne: false;
            referencedRelation: "messages";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "automation_runs_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "automations": {
        Row: {
          "actions": NonNullable<Json>;
          "channel_id": string | null;
          "created_at": string;
          "created_by": string | null;
          "description": string | null;
          "error_count": number;
          "id": string;
          "is_active": boolean;
          "last_error": string | null;
          "last_run_at": string | null;
          "name": string;
          "priority": number;
          "state": NonNullable<Json>;
          "trigger_conditions": NonNullable<Json>;
          "type": Database["public"]["Enums"]["automation_type"];
          "updated_at": string;
          "usage_count": number;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "actions"?: NonNullable<Json>;
          "channel_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "error_count"?: number;
          "id"?: string;
          "is_active"?: boolean;
          "last_error"?: string | null;
          "last_run_at"?: string | null;
          "name": string;
          "priority"?: number;
          "state"?: NonNullable<Json>;
          "trigger_conditions"?: NonNullable<Json>;
          "type": Database["public"]["Enums"]["automation_type"];
          "updated_at"?: string;
          "usage_count"?: number;
          "workspace_id": string;
        };
        Update: {
          "actions"?: NonNullable<Json>;
          "channel_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "error_count"?: number;
          "id"?: string;
          "is_active"?: boolean;
          "last_error"?: string | null;
          "last_run_at"?: string | null;
          "name"?: string;
          "priority"?: number;
          "state"?: NonNullable<Json>;
          "trigger_conditions"?: NonNullable<Json>;
          "type"?: Database["public"]["Enums"]["automation_type"];
          "updated_at"?: string;
          "usage_count"?: number;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "automations_channel_id_fkey";
            columns: ["channel_id"];
            isOneToOne: false;
            referencedRelation: "channels";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "automations_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "automations_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "calendar_settings": {
        Row: {
          "allow_double_booking": boolean;
          "cancellation_parameters": NonNullable<Json>;
          "cancellation_template_id": string | null;
          "created_at": string;
          "created_by": string | null;
          "order_deadlines": boolean;
          "reminder_parameters": NonNullable<Json>;
          "reminder_template_id": string | null;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "allow_double_booking"?: boolean;
          "cancellation_parameters"?: NonNullable<Json>;
          "cancellation_template_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "order_deadlines"?: boolean;
          "reminder_parameters"?: NonNullable<Json>;
          "reminder_template_id"?: string | null;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "allow_double_booking"?: boolean;
          "cancellation_parameters"?: NonNullable<Json>;
          "cancellation_template_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "order_deadlines"?: boolean;
          "reminder_parameters"?: NonNullable<Json>;
          "reminder_template_id"?: string | null;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "calendar_settings_cancellation_template_id_fkey";
            columns: ["cancellation_template_id"];
            isOneToOne: false;
            referencedRelation: "message_templates";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "calendar_settings_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "calendar_settings_reminder_template_id_fkey";
            columns: ["reminder_template_id"];
            isOneToOne: false;
            referencedRelation: "message_templates";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "calendar_settings_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: true;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "campaign_messages": {
        Row: {
          "campaign_id": string;
          "chat_id": string;
          "contact_id": string | null;
          "conversation_id": string | null;
          "created_at": string;
          "delivered_at": string | null;
          "error": string | null;
          "failed_at": string | null;
          "group_id": string | null;
          "id": number;
          "message_id": string | null;
          "read_at": string | null;
          "sent_at": string | null;
          "status": Database["public"]["Enums"]["campaign_recipient_status"];
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "campaign_id": string;
          "chat_id": string;
          "contact_id"?: string | null;
          "conversation_id"?: string | null;
          "created_at"?: string;
          "delivered_at"?: string | null;
          "error"?: string | null;
          "failed_at"?: string | null;
          "group_id"?: string | null;
          "id"?: never;
          "message_id"?: string | null;
          "read_at"?: string | null;
          "sent_at"?: string | null;
          "status"?: Database["public"]["Enums"]["campaign_recipient_status"];
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "campaign_id"?: string;
          "chat_id"?: string;
          "contact_id"?: string | null;
          "conversation_id"?: string | null;
          "created_at"?: string;
          "delivered_at"?: string | null;
          "error"?: string | null;
          "failed_at"?: string | null;
          "group_id"?: string | null;
          "id"?: never;
          "message_id"?: string | null;
          "read_at"?: string | null;
          "sent_at"?: string | null;
          "status"?: Database["public"]["Enums"]["campaign_recipient_status"];
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "campaign_messages_campaign_id_fkey";
            columns: ["campaign_id"];
            isOneToOne: false;
            referencedRelation: "campaigns";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "campaign_messages_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "campaign_messages_conversation_id_fkey";
            columns: ["conversation_id"];
            isOneToOne: false;
            referencedRelation: "conversations";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "campaign_messages_group_id_fkey";
            columns: ["group_id"];
            isOneToOne: false;
            referencedRelation: "whatsapp_groups";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "campaign_messages_message_id_fkey";
            columns: ["message_id"];
            isOneToOne: true;
            referencedRelation: "messages";
            referencedColumns: ["id"];
          },
        ];
      };
      "campaigns": {
        Row: {
          "cancelled_at": string | null;
          "channel_id": string;
          "completed_at": string | null;
          "counted_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "delivered_count": number;
          "description": string | null;
          "failed_count": number;
          "id": string;
          "last_error": string | null;
          "media_type": Database["public"]["Enums"]["message_type"] | null;
          "media_url": string | null;
          "message_content": string | null;
          "name": string;
          "paused_at": string | null;
          "read_count": number;
          "scheduled_at": string | null;
          "sent_count": number;
          "skipped_count": number;
          "started_at": string | null;
          "status": Database["public"]["Enums"]["campaign_status"];
          "target_criteria": NonNullable<Json>;
          "target_type": Database["public"]["Enums"]["campaign_target"];
          "template_id": string | null;
          "template_params": Json | null;
          "total_recipients": number;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "cancelled_at"?: string | null;
          "channel_id": string;
          "completed_at"?: string | null;
          "counted_at"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "delivered_count"?: number;
          "description"?: string | null;
          "failed_count"?: number;
          "id"?: string;
          "last_error"?: string | null;
          "media_type"?: Database["public"]["Enums"]["message_type"] | null;
          "media_url"?: string | null;
          "message_content"?: string | null;
          "name": string;
          "paused_at"?: string | null;
          "read_count"?: number;
          "scheduled_at"?: string | null;
          "sent_count"?: number;
          "skipped_count"?: number;
          "started_at"?: string | null;
          "status"?: Database["public"]["Enums"]["campaign_status"];
          "target_criteria"?: NonNullable<Json>;
          "target_type"?: Database["public"]["Enums"]["campaign_target"];
          "template_id"?: string | null;
          "template_params"?: Json | null;
          "total_recipients"?: number;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "cancelled_at"?: string | null;
          "channel_id"?: string;
          "completed_at"?: string | null;
          "counted_at"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "delivered_count"?: number;
          "description"?: string | null;
          "failed_count"?: number;
          "id"?: string;
          "last_error"?: string | null;
          "media_type"?: Database["public"]["Enums"]["message_type"] | null;
          "media_url"?: string | null;
          "message_content"?: string | null;
          "name"?: string;
          "paused_at"?: string | null;
          "read_count"?: number;
          "scheduled_at"?: string | null;
          "sent_count"?: number;
          "skipped_count"?: number;
          "started_at"?: string | null;
          "status"?: Database["public"]["Enums"]["campaign_status"];
          "target_criteria"?: NonNullable<Json>;
          "target_type"?: Database["public"]["Enums"]["campaign_target"];
          "template_id"?: string | null;
          "template_params"?: Json | null;
          "total_recipients"?: number;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "campaigns_channel_id_workspace_id_fkey";
            columns: ["channel_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "channels";
            referencedColumns: ["id", "workspace_id"];
          },
          {
            foreignKeyName: "campaigns_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "campaigns_template_id_fkey";
            columns: ["template_id"];
            isOneToOne: false;
            referencedRelation: "message_templates";
            referencedColumns: ["id"];
          },
        ];
      };
      "channels": {
        Row: {
          "api_base_url": string | null;
          "business_account_id": string | null;
          "connected_by": string | null;
          "connection_retries": number;
          "created_at": string;
          "credentials_set": (string)[];
          "device_id": string | null;
          "disconnected_at": string | null;
          "display_name": string | null;
          "email_address": string | null;
          "id": string;
          "instance_name": string | null;
          "is_active": boolean;
          "last_connected_at": string | null;
          "last_error": string | null;
          "last_synced_at": string | null;
          "name": string;
          "pairing_code": string | null;
          "phone_number": string | null;
          "phone_number_error": string | null;
          "phone_number_id": string | null;
          "phone_number_verified_at": string | null;
          "profile_name": string | null;
          "profile_picture_url": string | null;
          "provider": Database["public"]["Enums"]["channel_provider"] | null;
          "qr_code": string | null;
          "qr_expires_at": string | null;
          "settings": NonNullable<Json>;
          "status": Database["public"]["Enums"]["channel_status"];
          "type": Database["public"]["Enums"]["channel_type"];
          "updated_at": string;
          "webhook_events": (string)[];
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "api_base_url"?: string | null;
          "business_account_id"?: string | null;
          "connected_by"?: string | null;
          "connection_retries"?: number;
          "created_at"?: string;
          "credentials_set"?: (string)[];
          "device_id"?: string | null;
          "disconnected_at"?: string | null;
          "display_name"?: string | null;
          "email_address"?: string | null;
          "id"?: string;
          "instance_name"?: string | null;
          "is_active"?: boolean;
          "last_connected_at"?: string | null;
          "last_error"?: string | null;
          "last_synced_at"?: string | null;
          "name": string;
          "pairing_code"?: string | null;
          "phone_number"?: string | null;
          "phone_number_error"?: string | null;
          "phone_number_id"?: string | null;
          "phone_number_verified_at"?: string | null;
          "profile_name"?: string | null;
          "profile_picture_url"?: string | null;
          "provider"?: Database["public"]["Enums"]["channel_provider"] | null;
          "qr_code"?: string | null;
          "qr_expires_at"?: string | null;
          "settings"?: NonNullable<Json>;
          "status"?: Database["public"]["Enums"]["channel_status"];
          "type"?: Database["public"]["Enums"]["channel_type"];
          "updated_at"?: string;
          "webhook_events"?: (string)[];
          "workspace_id": string;
        };
        Update: {
          "api_base_url"?: string | null;
          "business_account_id"?: string | null;
          "connected_by"?: string | null;
          "connection_retries"?: number;
          "created_at"?: string;
          "credentials_set"?: (string)[];
          "device_id"?: string | null;
          "disconnected_at"?: string | null;
          "display_name"?: string | null;
          "email_address"?: string | null;
          "id"?: string;
          "instance_name"?: string | null;
          "is_active"?: boolean;
          "last_connected_at"?: string | null;
          "last_error"?: string | null;
          "last_synced_at"?: string | null;
          "name"?: string;
          "pairing_code"?: string | null;
          "phone_number"?: string | null;
          "phone_number_error"?: string | null;
          "phone_number_id"?: string | null;
          "phone_number_verified_at"?: string | null;
          "profile_name"?: string | null;
          "profile_picture_url"?: string | null;
          "provider"?: Database["public"]["Enums"]["channel_provider"] | null;
          "qr_code"?: string | null;
          "qr_expires_at"?: string | null;
          "settings"?: NonNullable<Json>;
          "status"?: Database["public"]["Enums"]["channel_status"];
          "type"?: Database["public"]["Enums"]["channel_type"];
          "updated_at"?: string;
          "webhook_events"?: (string)[];
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "channels_connected_by_fkey";
            columns: ["connected_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "channels_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "client_interactions": {
        Row: {
          "contact_id": string;
          "created_at": string;
          "description": string | null;
          "id": string;
          "interaction_type": Database["public"]["Enums"]["interaction_type"];
          "metadata": NonNullable<Json>;
          "occurred_at": string;
          "subject": string | null;
          "updated_at": string;
          "user_id": string | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "contact_id": string;
          "created_at"?: string;
          "description"?: string | null;
          "id"?: string;
          "interaction_type": Database["public"]["Enums"]["interaction_type"];
          "metadata"?: NonNullable<Json>;
          "occurred_at"?: string;
          "subject"?: string | null;
          "updated_at"?: string;
          "user_id"?: string | null;
          "workspace_id": string;
        };
        Update: {
          "contact_id"?: string;
          "created_at"?: string;
          "description"?: string | null;
          "id"?: string;
          "interaction_type"?: Database["public"]["Enums"]["interaction_type"];
          "metadata"?: NonNullable<Json>;
          "occurred_at"?: string;
          "subject"?: string | null;
          "updated_at"?: string;
          "user_id"?: string | null;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "client_interactions_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "client_interactions_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "client_interactions_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "client_measurements": {
        Row: {
          "contact_id": string;
          "created_at": string;
          "id": string;
          "measurement_template_id": string;
          "measurements": NonNullable<Json>;
          "notes": string | null;
          "taken_at": string;
          "taken_by": string | null;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "contact_id": string;
          "created_at"?: string;
          "id"?: string;
          "measurement_template_id": string;
          "measurements": NonNullable<Json>;
          "notes"?: string | null;
          "taken_at"?: string;
          "taken_by"?: string | null;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "contact_id"?: string;
          "created_at"?: string;
          "id"?: string;
          "measurement_template_id"?: string;
          "measurements"?: NonNullable<Json>;
          "notes"?: string | null;
          "taken_at"?: string;
          "taken_by"?: string | null;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "client_measurements_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "client_measurements_measurement_template_id_workspace_id_fkey";
            columns: ["measurement_template_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "measurement_templates";
            referencedColumns: ["id", "workspace_id"];
          },
          {
            foreignKeyName: "client_measurements_taken_by_fkey";
            columns: ["taken_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "client_measurements_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "contact_identities": {
        Row: {
          "blocked_at": string | null;
          "business_profile": Json | null;
          "channel_id": string;
          "contact_id": string;
          "created_at": string;
          "external_id": string;
          "id": string;
          "is_blocked": boolean;
          "is_business": boolean;
          "last_seen_at": string | null;
          "phone": string | null;
          "profile_picture_url": string | null;
          "push_name": string | null;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "blocked_at"?: string | null;
          "business_profile"?: Json | null;
          "channel_id": string;
          "contact_id": string;
          "created_at"?: string;
          "external_id": string;
          "id"?: string;
          "is_blocked"?: boolean;
          "is_business"?: boolean;
          "last_seen_at"?: string | null;
          "phone"?: string | null;
          "profile_picture_url"?: string | null;
          "push_name"?: string | null;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "blocked_at"?: string | null;
          "business_profile"?: Json | null;
          "channel_id"?: string;
          "contact_id"?: string;
          "created_at"?: string;
          "external_id"?: string;
          "id"?: string;
          "is_blocked"?: boolean;
          "is_business"?: boolean;
          "last_seen_at"?: string | null;
          "phone"?: string | null;
          "profile_picture_url"?: string | null;
          "push_name"?: string | null;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "contact_identities_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "contact_identities_workspace_id_channel_id_fkey";
            columns: ["workspace_id", "channel_id"];
            isOneToOne: false;
            referencedRelation: "channels";
            referencedColumns: ["workspace_id", "id"];
          },
        ];
      };
      "contacts": {
        Row: {
          "added_by": string | null;
          "address": string | null;
          "avatar_fetched_at": string | null;
          "avatar_path": string | null;
          "avatar_url": string | null;
          "birthday": string | null;
          "company": string | null;
          "created_at": string;
          "custom_fields": NonNullable<Json>;
          "email": string | null;
          "id": string;
          "interests": string | null;
          "is_favorite": boolean;
          "job_title": string | null;
          "labels": (string)[];
          "last_message_at": string | null;
          "last_order_at": string | null;
          "location": string | null;
          "name": string | null;
          "notes": string | null;
          "opt_out_message_id": string | null;
          "opt_out_reason": string | null;
          "opted_in": boolean;
          "opted_in_at": string | null;
          "opted_out_at": string | null;
          "phone": string | null;
          "priority": Database["public"]["Enums"]["priority_level"] | null;
          "social_media": NonNullable<Json>;
          "source": string;
          "status": Database["public"]["Enums"]["contact_status"];
          "tags": (string)[];
          "total_orders": number;
          "total_revenue": number;
          "updated_at": string;
          "website": string | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "added_by"?: string | null;
          "address"?: string | null;
          "avatar_fetched_at"?: string | null;
          "avatar_path"?: string | null;
          "avatar_url"?: string | null;
          "birthday"?: string | null;
          "company"?: string | null;
          "created_at"?: string;
          "custom_fields"?: NonNullable<Json>;
          "email"?: string | null;
          "id"?: string;
          "interests"?: string | null;
          "is_favorite"?: boolean;
          "job_title"?: string | null;
          "labels"?: (string)[];
          "last_message_at"?: string | null;
          "last_order_at"?: string | null;
          "location"?: string | null;
          "name"?: string | null;
          "notes"?: string | null;
          "opt_out_message_id"?: string | null;
          "opt_out_reason"?: string | null;
          "opted_in"?: boolean;
          "opted_in_at"?: string | null;
          "opted_out_at"?: string | null;
          "phone"?: string | null;
          "priority"?: Database["public"]["Enums"]["priority_level"] | null;
          "social_media"?: NonNullable<Json>;
          "source"?: string;
          "status"?: Database["public"]["Enums"]["contact_status"];
          "tags"?: (string)[];
          "total_orders"?: number;
          "total_revenue"?: number;
          "updated_at"?: string;
          "website"?: string | null;
          "workspace_id": string;
        };
        Update: {
          "added_by"?: string | null;
          "address"?: string | null;
          "avatar_fetched_at"?: string | null;
          "avatar_path"?: string | null;
          "avatar_url"?: string | null;
          "birthday"?: string | null;
          "company"?: string | null;
          "created_at"?: string;
          "custom_fields"?: NonNullable<Json>;
          "email"?: string | null;
          "id"?: string;
          "interests"?: string | null;
          "is_favorite"?: boolean;
          "job_title"?: string | null;
          "labels"?: (string)[];
          "last_message_at"?: string | null;
          "last_order_at"?: string | null;
          "location"?: string | null;
          "name"?: string | null;
          "notes"?: string | null;
          "opt_out_message_id"?: string | null;
          "opt_out_reason"?: string | null;
          "opted_in"?: boolean;
          "opted_in_at"?: string | null;
          "opted_out_at"?: string | null;
          "phone"?: string | null;
          "priority"?: Database["public"]["Enums"]["priority_level"] | null;
          "social_media"?: NonNullable<Json>;
          "source"?: string;
          "status"?: Database["public"]["Enums"]["contact_status"];
          "tags"?: (string)[];
          "total_orders"?: number;
          "total_revenue"?: number;
          "updated_at"?: string;
          "website"?: string | null;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "contacts_added_by_fkey";
            columns: ["added_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "contacts_opt_out_message_id_fkey";
            columns: ["opt_out_message_id"];
            isOneToOne: false;
            referencedRelation: "messages";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "contacts_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "conversations": {
        Row: {
          "assignee_id": string | null;
          "channel_id": string;
          "chat_id": string;
          "closed_at": string | null;
          "contact_id": string | null;
          "created_at": string;
          "custom_wallpaper": string | null;
          "display_id": number;
          "group_id": string | null;
          "id": string;
          "is_archived": boolean;
          "is_muted": boolean;
          "is_pinned": boolean;
          "last_inbound_at": string | null;
          "last_message_at": string | null;
          "last_message_direction": Database["public"]["Enums"]["message_direction"] | null;
          "last_message_id": string | null;
          "last_message_preview": string | null;
          "mute_until": string | null;
          "notification_settings": Json | null;
          "status": Database["public"]["Enums"]["conversation_status"];
          "title": string | null;
          "type": Database["public"]["Enums"]["conversation_type"];
          "unread_count": number;
          "updated_at": string;
          "window_expires_at": string | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "assignee_id"?: string | null;
          "channel_id": string;
          "chat_id": string;
          "closed_at"?: string | null;
          "contact_id"?: string | null;
          "created_at"?: string;
          "custom_wallpaper"?: string | null;
          "display_id": number;
          "group_id"?: string | null;
          "id"?: string;
          "is_archived"?: boolean;
          "is_muted"?: boolean;
          "is_pinned"?: boolean;
          "last_inbound_at"?: string | null;
          "last_message_at"?: string | null;
          "last_message_direction"?: Database["public"]["Enums"]["message_direction"] | null;
          "last_message_id"?: string | null;
          "last_message_preview"?: string | null;
          "mute_until"?: string | null;
          "notification_settings"?: Json | null;
          "status"?: Database["public"]["Enums"]["conversation_status"];
          "title"?: string | null;
          "type"?: Database["public"]["Enums"]["conversation_type"];
          "unread_count"?: number;
          "updated_at"?: string;
          "window_expires_at"?: string | null;
          "workspace_id": string;
        };
        Update: {
          "assignee_id"?: string | null;
          "channel_id"?: string;
          "chat_id"?: string;
          "closed_at"?: string | null;
          "contact_id"?: string | null;
          "created_at"?: string;
          "custom_wallpaper"?: string | null;
          "display_id"?: number;
          "group_id"?: string | null;
          "id"?: string;
          "is_archived"?: boolean;
          "is_muted"?: boolean;
          "is_pinned"?: boolean;
          "last_inbound_at"?: string | null;
          "last_message_at"?: string | null;
          "last_message_direction"?: Database["public"]["Enums"]["message_direction"] | null;
          "last_message_id"?: string | null;
          "last_message_preview"?: string | null;
          "mute_until"?: string | null;
          "notification_settings"?: Json | null;
          "status"?: Database["public"]["Enums"]["conversation_status"];
          "title"?: string | null;
          "type"?: Database["public"]["Enums"]["conversation_type"];
          "unread_count"?: number;
          "updated_at"?: string;
          "window_expires_at"?: string | null;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "conversations_assignee_id_fkey";
            columns: ["assignee_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "conversations_channel_id_workspace_id_fkey";
            columns: ["channel_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "channels";
            referencedColumns: ["id", "workspace_id"];
          },
          {
            foreignKeyName: "conversations_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "conversations_group_id_fkey";
            columns: ["group_id"];
            isOneToOne: false;
            referencedRelation: "whatsapp_groups";
            referencedColumns: ["id"];
          },
        ];
      };
      "event_attendees": {
        Row: {
          "created_at": string;
          "during": unknown;
          "event_id": string;
          "exclusive": boolean;
          "user_id": string;
          "workspace_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "during": unknown;
          "event_id": string;
          "exclusive": boolean;
          "user_id": string;
          "workspace_id"?: string | null;
        };
        Update: {
          "created_at"?: string;
          "during"?: unknown;
          "event_id"?: string;
          "exclusive"?: boolean;
          "user_id"?: string;
          "workspace_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "event_attendees_event_id_fkey";
            columns: ["event_id"];
            isOneToOne: false;
            referencedRelation: "events";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "event_attendees_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "event_attendees_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "event_reminders": {
        Row: {
          "channel": Database["public"]["Enums"]["event_reminder_channel"];
          "contact_id": string | null;
          "created_at": string;
          "error": string | null;
          "event_id": string;
          "id": string;
          "kind": Database["public"]["Enums"]["event_reminder_kind"];
          "late_seconds": number | null;
          "message_id": string | null;
          "minutes_before": number | null;
          "notification_id": string | null;
          "remind_at": string;
          "sent_at": string | null;
          "status": Database["public"]["Enums"]["event_reminder_status"];
          "user_id": string | null;
          "workspace_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "channel": Database["public"]["Enums"]["event_reminder_channel"];
          "contact_id"?: string | null;
          "created_at"?: string;
          "error"?: string | null;
          "event_id": string;
          "id"?: string;
          "kind"?: Database["public"]["Enums"]["event_reminder_kind"];
          "late_seconds"?: number | null;
          "message_id"?: string | null;
          "minutes_before"?: number | null;
          "notification_id"?: string | null;
          "remind_at": string;
          "sent_at"?: string | null;
          "status"?: Database["public"]["Enums"]["event_reminder_status"];
          "user_id"?: string | null;
          "workspace_id"?: string | null;
        };
        Update: {
          "channel"?: Database["public"]["Enums"]["event_reminder_channel"];
          "contact_id"?: string | null;
          "created_at"?: string;
          "error"?: string | null;
          "event_id"?: string;
          "id"?: string;
          "kind"?: Database["public"]["Enums"]["event_reminder_kind"];
          "late_seconds"?: number | null;
          "message_id"?: string | null;
          "minutes_before"?: number | null;
          "notification_id"?: string | null;
          "remind_at"?: string;
          "sent_at"?: string | null;
          "status"?: Database["public"]["Enums"]["event_reminder_status"];
          "user_id"?: string | null;
          "workspace_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "event_reminders_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "event_reminders_event_id_fkey";
            columns: ["event_id"];
            isOneToOne: false;
            referencedRelation: "events";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "event_reminders_message_id_fkey";
            columns: ["message_id"];
            isOneToOne: false;
            referencedRelation: "messages";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "event_reminders_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "event_reminders_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "events": {
        Row: {
          "all_day": boolean;
          "attendees": (string)[];
          "cancelled_at": string | null;
          "color": string | null;
          "contact_id": string | null;
          "created_at": string;
          "created_by": string | null;
          "description": string | null;
          "end_time": string | null;
          "event_type": Database["public"]["Enums"]["event_type"];
          "id": string;
          "location": string | null;
          "order_id": string | null;
          "reminder_minutes": (number)[];
          "source": string;
          "start_time": string;
          "status": Database["public"]["Enums"]["event_status"];
          "title": string;
          "updated_at": string;
          "user_id": string;
          "workspace_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "all_day"?: boolean;
          "attendees"?: (string)[];
          "cancelled_at"?: string | null;
          "color"?: string | null;
          "contact_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "end_time"?: string | null;
          "event_type"?: Database["public"]["Enums"]["event_type"];
          "id"?: string;
          "location"?: string | null;
          "order_id"?: string | null;
          "reminder_minutes"?: (number)[];
          "source"?: string;
          "start_time": string;
          "status"?: Database["public"]["Enums"]["event_status"];
          "title": string;
          "updated_at"?: string;
          "user_id"?: string;
          "workspace_id"?: string | null;
        };
        Update: {
          "all_day"?: boolean;
          "attendees"?: (string)[];
          "cancelled_at"?: string | null;
          "color"?: string | null;
          "contact_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "end_time"?: string | null;
          "event_type"?: Database["public"]["Enums"]["event_type"];
          "id"?: string;
          "location"?: string | null;
          "order_id"?: string | null;
          "reminder_minutes"?: (number)[];
          "source"?: string;
          "start_time"?: string;
          "status"?: Database["public"]["Enums"]["event_status"];
          "title"?: string;
          "updated_at"?: string;
          "user_id"?: string;
          "workspace_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "events_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "events_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "events_order_id_fkey";
            columns: ["order_id"];
            isOneToOne: false;
            referencedRelation: "orders";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "events_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "events_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "feed_comment_likes": {
        Row: {
          "comment_id": string;
          "created_at": string;
          "id": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "comment_id": string;
          "created_at"?: string;
          "id"?: string;
          "user_id"?: string;
        };
        Update: {
          "comment_id"?: string;
          "created_at"?: string;
          "id"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "feed_comment_likes_comment_id_fkey";
            columns: ["comment_id"];
            isOneToOne: false;
            referencedRelation: "feed_comment_threads";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_comment_likes_comment_id_fkey";
            columns: ["comment_id"];
            isOneToOne: false;
            referencedRelation: "feed_comments";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_comment_likes_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "feed_comments": {
        Row: {
          "content": string | null;
          "created_at": string;
          "deleted_at": string | null;
          "feed_id": string;
          "id": string;
          "is_deleted": boolean;
          "is_edited": boolean;
          "like_count": number;
          "parent_comment_id": string | null;
          "updated_at": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "content"?: string | null;
          "created_at"?: string;
          "deleted_at"?: string | null;
          "feed_id": string;
          "id"?: string;
          "is_deleted"?: boolean;
          "is_edited"?: boolean;
          "like_count"?: number;
          "parent_comment_id"?: string | null;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Update: {
          "content"?: string | null;
          "created_at"?: string;
          "deleted_at"?: string | null;
          "feed_id"?: string;
          "id"?: string;
          "is_deleted"?: boolean;
          "is_edited"?: boolean;
          "like_count"?: number;
          "parent_comment_id"?: string | null;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "feed_comments_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feed_posts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_comments_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feeds";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_comments_parent_comment_id_feed_id_fkey";
            columns: ["parent_comment_id", "feed_id"];
            isOneToOne: false;
            referencedRelation: "feed_comment_threads";
            referencedColumns: ["id", "feed_id"];
          },
          {
            foreignKeyName: "feed_comments_parent_comment_id_feed_id_fkey";
            columns: ["parent_comment_id", "feed_id"];
            isOneToOne: false;
            referencedRelation: "feed_comments";
            referencedColumns: ["id", "feed_id"];
          },
          {
            foreignKeyName: "feed_comments_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "feed_cross_posts": {
        Row: {
          "attempts": number;
          "claimed_by": string | null;
          "claimed_until": string | null;
          "created_at": string;
          "error_code": string | null;
          "error_message": string | null;
          "feed_id": string;
          "id": string;
          "last_synced_at": string | null;
          "next_attempt_at": string;
          "platform": Database["public"]["Enums"]["social_platform"];
          "platform_container_id": string | null;
          "platform_metrics": NonNullable<Json>;
          "platform_post_id": string | null;
          "platform_url": string | null;
          "posted_at": string | null;
          "requested_by": string;
          "scheduled_for": string;
          "social_connection_id": string;
          "status": Database["public"]["Enums"]["cross_post_status"];
          "updated_at": string;
          "workspace_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "attempts"?: number;
          "claimed_by"?: string | null;
          "claimed_until"?: string | null;
          "created_at"?: string;
          "error_code"?: string | null;
          "error_message"?: string | null;
          "feed_id": string;
          "id"?: string;
          "last_synced_at"?: string | null;
          "next_attempt_at"?: string;
          "platform": Database["public"]["Enums"]["social_platform"];
          "platform_container_id"?: string | null;
          "platform_metrics"?: NonNullable<Json>;
          "platform_post_id"?: string | null;
          "platform_url"?: string | null;
          "posted_at"?: string | null;
          "requested_by"?: string;
          "scheduled_for"?: string;
          "social_connection_id": string;
          "status"?: Database["public"]["Enums"]["cross_post_status"];
          "updated_at"?: string;
          "workspace_id"?: string | null;
        };
        Update: {
          "attempts"?: number;
          "claimed_by"?: string | null;
          "claimed_until"?: string | null;
          "created_at"?: string;
          "error_code"?: string | null;
          "error_message"?: string | null;
          "feed_id"?: string;
          "id"?: string;
          "last_synced_at"?: string | null;
          "next_attempt_at"?: string;
          "platform"?: Database["public"]["Enums"]["social_platform"];
          "platform_container_id"?: string | null;
          "platform_metrics"?: NonNullable<Json>;
          "platform_post_id"?: string | null;
          "platform_url"?: string | null;
          "posted_at"?: string | null;
          "requested_by"?: string;
          "scheduled_for"?: string;
          "social_connection_id"?: string;
          "status"?: Database["public"]["Enums"]["cross_post_status"];
          "updated_at"?: string;
          "workspace_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "feed_cross_posts_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feed_posts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_cross_posts_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feeds";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_cross_posts_requested_by_fkey";
            columns: ["requested_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_cross_posts_social_connection_id_fkey";
            columns: ["social_connection_id"];
            isOneToOne: false;
            referencedRelation: "social_media_connections";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_cross_posts_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "feed_likes": {
        Row: {
          "created_at": string;
          "feed_id": string;
          "id": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "feed_id": string;
          "id"?: string;
          "user_id"?: string;
        };
        Update: {
          "created_at"?: string;
          "feed_id"?: string;
          "id"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "feed_likes_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feed_posts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_likes_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feeds";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_likes_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "feed_shares": {
        Row: {
          "created_at": string;
          "feed_id": string;
          "id": string;
          "shared_to": Database["public"]["Enums"]["feed_share_target"];
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "feed_id": string;
          "id"?: string;
          "shared_to"?: Database["public"]["Enums"]["feed_share_target"];
          "user_id"?: string;
        };
        Update: {
          "created_at"?: string;
          "feed_id"?: string;
          "id"?: string;
          "shared_to"?: Database["public"]["Enums"]["feed_share_target"];
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "feed_shares_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feed_posts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_shares_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feeds";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_shares_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "feeds": {
        Row: {
          "caption": string | null;
          "comment_count": number;
          "created_at": string;
          "feed_type": Database["public"]["Enums"]["feed_type"];
          "id": string;
          "like_count": number;
          "location": Json | null;
          "media_paths": (string)[];
          "published_at": string | null;
          "share_count": number;
          "status": Database["public"]["Enums"]["feed_status"];
          "tags": (string)[];
          "thumbnail_path": string | null;
          "updated_at": string;
          "user_id": string;
          "view_count": number;
          "visibility": Database["public"]["Enums"]["feed_visibility"];
          "workspace_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "caption"?: string | null;
          "comment_count"?: number;
          "created_at"?: string;
          "feed_type": Database["public"]["Enums"]["feed_type"];
          "id"?: string;
          "like_count"?: number;
          "location"?: Json | null;
          "media_paths": (string)[];
          "published_at"?: string | null;
          "share_count"?: number;
          "status"?: Database["public"]["Enums"]["feed_status"];
          "tags"?: (string)[];
          "thumbnail_path"?: string | null;
          "updated_at"?: string;
          "user_id"?: string;
          "view_count"?: number;
          "visibility"?: Database["public"]["Enums"]["feed_visibility"];
          "workspace_id"?: string | null;
        };
        Update: {
          "caption"?: string | null;
          "comment_count"?: number;
          "created_at"?: string;
          "feed_type"?: Database["public"]["Enums"]["feed_type"];
          "id"?: string;
          "like_count"?: number;
          "location"?: Json | null;
          "media_paths"?: (string)[];
          "published_at"?: string | null;
          "share_count"?: number;
          "status"?: Database["public"]["Enums"]["feed_status"];
          "tags"?: (string)[];
          "thumbnail_path"?: string | null;
          "updated_at"?: string;
          "user_id"?: string;
          "view_count"?: number;
          "visibility"?: Database["public"]["Enums"]["feed_visibility"];
          "workspace_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "feeds_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feeds_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "financial_goals": {
        Row: {
          "category": string;
          "completed_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "currency": string;
          "current_amount": number;
          "goal_type": Database["public"]["Enums"]["goal_period"];
          "id": string;
          "period_end": string;
          "period_start": string;
          "status": Database["public"]["Enums"]["goal_status"];
          "target_amount": number;
          "title": string;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "category": string;
          "completed_at"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "currency"?: string;
          "current_amount"?: number;
          "goal_type"?: Database["public"]["Enums"]["goal_period"];
          "id"?: string;
          "period_end"?: never;
          "period_start"?: string;
          "status"?: Database["public"]["Enums"]["goal_status"];
          "target_amount": number;
          "title": string;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "category"?: string;
          "completed_at"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "currency"?: string;
          "current_amount"?: number;
          "goal_type"?: Database["public"]["Enums"]["goal_period"];
          "id"?: string;
          "period_end"?: never;
          "period_start"?: string;
          "status"?: Database["public"]["Enums"]["goal_status"];
          "target_amount"?: number;
          "title"?: string;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "financial_goals_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "financial_goals_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "follows": {
        Row: {
          "created_at": string;
          "followed_user_id": string | null;
          "followed_workspace_id": string | null;
          "follower_id": string;
          "id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "followed_user_id"?: string | null;
          "followed_workspace_id"?: string | null;
          "follower_id"?: string;
          "id"?: string;
        };
        Update: {
          "created_at"?: string;
          "followed_user_id"?: string | null;
          "followed_workspace_id"?: string | null;
          "follower_id"?: string;
          "id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "follows_followed_user_id_fkey";
            columns: ["followed_user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "follows_followed_workspace_id_fkey";
            columns: ["followed_workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "follows_follower_id_fkey";
            columns: ["follower_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "hook_deliveries": {
        Row: {
          "attempt": number;
          "created_at": string;
          "error": string | null;
          "event_id": string;
          "event_type": string;
          "hook_id": string;
          "id": number;
          "latency_ms": number | null;
          "outcome": string;
          "response_body": string | null;
          "status_code": number | null;
          "webhook_id": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "attempt": number;
          "created_at"?: string;
          "error"?: string | null;
          "event_id": string;
          "event_type": string;
          "hook_id": string;
          "id"?: never;
          "latency_ms"?: number | null;
          "outcome": string;
          "response_body"?: string | null;
          "status_code"?: number | null;
          "webhook_id": string;
          "workspace_id": string;
        };
        Update: {
          "attempt"?: number;
          "created_at"?: string;
          "error"?: string | null;
          "event_id"?: string;
          "event_type"?: string;
          "hook_id"?: string;
          "id"?: never;
          "latency_ms"?: number | null;
          "outcome"?: string;
          "response_body"?: string | null;
          "status_code"?: number | null;
          "webhook_id"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "hook_deliveries_hook_id_fkey";
            columns: ["hook_id"];
            isOneToOne: false;
            referencedRelation: "hooks";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "hook_deliveries_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "hooks": {
        Row: {
          "active": boolean;
          "allow_insecure": boolean;
          "channel_ids": (string)[] | null;
          "consecutive_failures": number;
          "created_at": string;
          "created_by": string | null;
          "description": string | null;
          "disable_after_failures": number;
          "disabled_at": string | null;
          "disabled_reason": string | null;
          "events": (string)[];
          "headers": NonNullable<Json>;
          "id": string;
          "last_failure_at": string | null;
          "last_success_at": string | null;
          "method": string;
          "name": string;
          "previous_secret_expires_at": string | null;
          "retry_count": number;
          "secret_header_names": (string)[];
          "secret_prefix": string;
          "secret_rotated_at": string | null;
          "timeout_seconds": number;
          "updated_at": string;
          "url": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "active"?: boolean;
          "allow_insecure"?: boolean;
          "channel_ids"?: (string)[] | null;
          "consecutive_failures"?: number;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "disable_after_failures"?: number;
          "disabled_at"?: string | null;
          "disabled_reason"?: string | null;
          "events"?: (string)[];
          "headers"?: NonNullable<Json>;
          "id"?: string;
          "last_failure_at"?: string | null;
          "last_success_at"?: string | null;
          "method"?: string;
          "name": string;
          "previous_secret_expires_at"?: string | null;
          "retry_count"?: number;
          "secret_header_names"?: (string)[];
          "secret_prefix": string;
          "secret_rotated_at"?: string | null;
          "timeout_seconds"?: number;
          "updated_at"?: string;
          "url": string;
          "workspace_id": string;
        };
        Update: {
          "active"?: boolean;
          "allow_insecure"?: boolean;
          "channel_ids"?: (string)[] | null;
          "consecutive_failures"?: number;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "disable_after_failures"?: number;
          "disabled_at"?: string | null;
          "disabled_reason"?: string | null;
          "events"?: (string)[];
          "headers"?: NonNullable<Json>;
          "id"?: string;
          "last_failure_at"?: string | null;
          "last_success_at"?: string | null;
          "method"?: string;
          "name"?: string;
          "previous_secret_expires_at"?: string | null;
          "retry_count"?: number;
          "secret_header_names"?: (string)[];
          "secret_prefix"?: string;
          "secret_rotated_at"?: string | null;
          "timeout_seconds"?: number;
          "updated_at"?: string;
          "url"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "hooks_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "hooks_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "inventory_items": {
        Row: {
          "category": string | null;
          "cost_price": number | null;
          "created_at": string;
          "created_by": string | null;
          "current_stock": number;
          "description": string | null;
          "id": string;
          "image_url": string | null;
          "max_stock_level": number | null;
          "min_stock_level": number;
          "name": string;
          "selling_price": number | null;
          "sku": string;
          "status": Database["public"]["Enums"]["inventory_status"];
          "supplier_contact": string | null;
          "supplier_name": string | null;
          "tags": (string)[];
          "unit": string;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "category"?: string | null;
          "cost_price"?: number | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "current_stock"?: number;
          "description"?: string | null;
          "id"?: string;
          "image_url"?: string | null;
          "max_stock_level"?: number | null;
          "min_stock_level"?: number;
          "name": string;
          "selling_price"?: number | null;
          "sku": string;
          "status"?: never;
          "supplier_contact"?: string | null;
          "supplier_name"?: string | null;
          "tags"?: (string)[];
          "unit"?: string;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "category"?: string | null;
          "cost_price"?: number | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "current_stock"?: number;
          "description"?: string | null;
          "id"?: string;
          "image_url"?: string | null;
          "max_stock_level"?: number | null;
          "min_stock_level"?: number;
          "name"?: string;
          "selling_price"?: number | null;
          "sku"?: string;
          "status"?: never;
          "supplier_contact"?: string | null;
          "supplier_name"?: string | null;
          "tags"?: (string)[];
          "unit"?: string;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "inventory_items_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "inventory_items_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "inventory_movements": {
        Row: {
          "created_at": string;
          "id": string;
          "inventory_item_id": string;
          "moved_by": string | null;
          "movement_type": Database["public"]["Enums"]["inventory_movement_type"];
          "new_stock": number;
          "notes": string | null;
          "previous_stock": number;
          "quantity": number;
          "reference_id": string | null;
          "reference_type": string | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "id"?: string;
          "inventory_item_id": string;
          "moved_by"?: string | null;
          "movement_type": Database["public"]["Enums"]["inventory_movement_type"];
          "new_stock": number;
          "notes"?: string | null;
          "previous_stock": number;
          "quantity": number;
          "reference_id"?: string | null;
          "reference_type"?: string | null;
          "workspace_id": string;
        };
        Update: {
          "created_at"?: string;
          "id"?: string;
          "inventory_item_id"?: string;
          "moved_by"?: string | null;
          "movement_type"?: Database["public"]["Enums"]["inventory_movement_type"];
          "new_stock"?: number;
          "notes"?: string | null;
          "previous_stock"?: number;
          "quantity"?: number;
          "reference_id"?: string | null;
          "reference_type"?: string | null;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "inventory_movements_inventory_item_id_fkey";
            columns: ["inventory_item_id"];
            isOneToOne: false;
            referencedRelation: "inventory_items";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "inventory_movements_moved_by_fkey";
            columns: ["moved_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "inventory_movements_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "invoice_templates": {
        Row: {
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "is_active": boolean;
          "notice": Database["public"]["Enums"]["invoice_notice"];
          "parameters": NonNullable<Json>;
          "template_id": string;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "notice": Database["public"]["Enums"]["invoice_notice"];
          "parameters"?: NonNullable<Json>;
          "template_id": string;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "notice"?: Database["public"]["Enums"]["invoice_notice"];
          "parameters"?: NonNullable<Json>;
          "template_id"?: string;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "invoice_templates_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "invoice_templates_template_id_fkey";
            columns: ["template_id"];
            isOneToOne: false;
            referencedRelation: "message_templates";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "invoice_templates_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "invoices": {
        Row: {
          "amount_paid": number;
          "balance_due": number;
          "bills_from": string;
          "bills_to": string;
          "cancelled_at": string | null;
          "contact_id": string | null;
          "created_at": string;
          "created_by": string | null;
          "currency": string;
          "description": string | null;
          "discount": number;
          "due_date": string | null;
          "id": string;
          "invoice_number": string | null;
          "invoice_year": number | null;
          "issued_date": string | null;
          "items": NonNullable<Json>;
          "message_error": string | null;
          "message_id": string | null;
          "notes": string | null;
          "number": number | null;
          "order_id": string | null;
          "overdue_at": string | null;
          "paid_at": string | null;
          "payment_status": Database["public"]["Enums"]["payment_status"];
          "pdf_path": string | null;
          "recipient_email": string | null;
          "sent_at": string | null;
          "status": Database["public"]["Enums"]["invoice_status"];
          "subtotal": number;
          "tax": number;
          "tax_rate": number | null;
          "title": string | null;
          "total_amount": number;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "amount_paid"?: number;
          "balance_due"?: never;
          "bills_from"?: string;
          "bills_to"?: string;
          "cancelled_at"?: string | null;
          "contact_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "currency"?: string;
          "description"?: string | null;
          "discount"?: number;
          "due_date"?: string | null;
          "id"?: string;
          "invoice_number"?: string | null;
          "invoice_year"?: number | null;
          "issued_date"?: string | null;
          "items"?: NonNullable<Json>;
          "message_error"?: string | null;
          "message_id"?: string | null;
          "notes"?: string | null;
          "number"?: number | null;
          "order_id"?: string | null;
          "overdue_at"?: string | null;
          "paid_at"?: string | null;
          "payment_status"?: never;
          "pdf_path"?: string | null;
          "recipient_email"?: string | null;
          "sent_at"?: string | null;
          "status"?: Database["public"]["Enums"]["invoice_status"];
          "subtotal"?: number;
          "tax"?: number;
          "tax_rate"?: number | null;
          "title"?: string | null;
          "total_amount"?: number;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "amount_paid"?: number;
          "balance_due"?: never;
          "bills_from"?: string;
          "bills_to"?: string;
          "cancelled_at"?: string | null;
          "contact_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "currency"?: string;
          "description"?: string | null;
          "discount"?: number;
          "due_date"?: string | null;
          "id"?: string;
          "invoice_number"?: string | null;
          "invoice_year"?: number | null;
          "issued_date"?: string | null;
          "items"?: NonNullable<Json>;
          "message_error"?: string | null;
          "message_id"?: string | null;
          "notes"?: string | null;
          "number"?: number | null;
          "order_id"?: string | null;
          "overdue_at"?: string | null;
          "paid_at"?: string | null;
          "payment_status"?: never;
          "pdf_path"?: string | null;
          "recipient_email"?: string | null;
          "sent_at"?: string | null;
          "status"?: Database["public"]["Enums"]["invoice_status"];
          "subtotal"?: number;
          "tax"?: number;
          "tax_rate"?: number | null;
          "title"?: string | null;
          "total_amount"?: number;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "invoices_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "invoices_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "invoices_message_id_fkey";
            columns: ["message_id"];
            isOneToOne: false;
            referencedRelation: "messages";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "invoices_order_id_fkey";
            columns: ["order_id"];
            isOneToOne: false;
            referencedRelation: "orders";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "invoices_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "marketplace_products": {
        Row: {
          "archived_at": string | null;
          "available_regions": (string)[];
          "category": string;
          "created_at": string;
          "currency": string | null;
          "customization_options": NonNullable<Json>;
          "description": string | null;
          "id": string;
          "images": (string)[];
          "inventory_item_id": string | null;
          "is_customizable": boolean;
          "likes_count": number;
          "price": number;
          "published_at": string | null;
          "rating": number;
          "rating_total": number;
          "review_count": number;
          "sales_count": number;
          "search": unknown;
          "seller_id": string | null;
          "status": Database["public"]["Enums"]["product_status"];
          "stock_quantity": number | null;
          "tags": (string)[];
          "title": string;
          "updated_at": string;
          "views_count": number;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "archived_at"?: string | null;
          "available_regions"?: (string)[];
          "category": string;
          "created_at"?: string;
          "currency"?: string | null;
          "customization_options"?: NonNullable<Json>;
          "description"?: string | null;
          "id"?: string;
          "images"?: (string)[];
          "inventory_item_id"?: string | null;
          "is_customizable"?: never;
          "likes_count"?: number;
          "price": number;
          "published_at"?: string | null;
          "rating"?: number;
          "rating_total"?: number;
          "review_count"?: number;
          "sales_count"?: number;
          "search"?: never;
          "seller_id"?: string | null;
          "status"?: Database["public"]["Enums"]["product_status"];
          "stock_quantity"?: number | null;
          "tags"?: (string)[];
          "title": string;
          "updated_at"?: string;
          "views_count"?: number;
          "workspace_id": string;
        };
        Update: {
          "archived_at"?: string | null;
          "available_regions"?: (string)[];
          "category"?: string;
          "created_at"?: string;
          "currency"?: string | null;
          "customization_options"?: NonNullable<Json>;
          "description"?: string | null;
          "id"?: string;
          "images"?: (string)[];
          "inventory_item_id"?: string | null;
          "is_customizable"?: never;
          "likes_count"?: number;
          "price"?: number;
          "published_at"?: string | null;
          "rating"?: number;
          "rating_total"?: number;
          "review_count"?: number;
          "sales_count"?: number;
          "search"?: never;
          "seller_id"?: string | null;
          "status"?: Database["public"]["Enums"]["product_status"];
          "stock_quantity"?: number | null;
          "tags"?: (string)[];
          "title"?: string;
          "updated_at"?: string;
          "views_count"?: number;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "marketplace_products_inventory_item_id_fkey";
            columns: ["inventory_item_id"];
            isOneToOne: false;
            referencedRelation: "inventory_items";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "marketplace_products_seller_id_fkey";
            columns: ["seller_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "marketplace_products_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "measurement_templates": {
        Row: {
          "created_at": string;
          "created_by": string | null;
          "description": string | null;
          "fields": NonNullable<Json>;
          "id": string;
          "is_active": boolean;
          "name": string;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "fields": NonNullable<Json>;
          "id"?: string;
          "is_active"?: boolean;
          "name": string;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "fields"?: NonNullable<Json>;
          "id"?: string;
          "is_active"?: boolean;
          "name"?: string;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "measurement_templates_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "measurement_templates_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "media_files": {
        Row: {
          "attempts": number;
          "came_inline": boolean;
          "channel_id": string | null;
          "claimed_at": string | null;
          "created_at": string;
          "duration_seconds": number | null;
          "error": string | null;
          "file_name": string | null;
          "id": string;
          "locked_until": string | null;
          "message_id": string | null;
          "mime_type": string | null;
          "next_attempt_at": string | null;
          "provider_media_id": string | null;
          "provider_sha256": string | null;
          "sha256": string | null;
          "size_bytes": number | null;
          "source_url": string | null;
          "status": Database["public"]["Enums"]["media_status"];
          "storage_path": string | null;
          "storage_url": string | null;
          "stored_at": string | null;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "attempts"?: number;
          "came_inline"?: boolean;
          "channel_id"?: string | null;
          "claimed_at"?: string | null;
          "created_at"?: string;
          "duration_seconds"?: number | null;
          "error"?: string | null;
          "file_name"?: string | null;
          "id"?: string;
          "locked_until"?: string | null;
          "message_id"?: string | null;
          "mime_type"?: string | null;
          "next_attempt_at"?: string | null;
          "provider_media_id"?: string | null;
          "provider_sha256"?: string | null;
          "sha256"?: string | null;
          "size_bytes"?: number | null;
          "source_url"?: string | null;
          "status"?: Database["public"]["Enums"]["media_status"];
          "storage_path"?: string | null;
          "storage_url"?: string | null;
          "stored_at"?: string | null;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "attempts"?: number;
          "came_inline"?: boolean;
          "channel_id"?: string | null;
          "claimed_at"?: string | null;
          "created_at"?: string;
          "duration_seconds"?: number | null;
          "error"?: string | null;
          "file_name"?: string | null;
          "id"?: string;
          "locked_until"?: string | null;
          "message_id"?: string | null;
          "mime_type"?: string | null;
          "next_attempt_at"?: string | null;
          "provider_media_id"?: string | null;
          "provider_sha256"?: string | null;
          "sha256"?: string | null;
          "size_bytes"?: number | null;
          "source_url"?: string | null;
          "status"?: Database["public"]["Enums"]["media_status"];
          "storage_path"?: string | null;
          "storage_url"?: string | null;
          "stored_at"?: string | null;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "media_files_channel_id_fkey";
            columns: ["channel_id"];
            isOneToOne: false;
            referencedRelation: "channels";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "media_files_message_id_fkey";
            columns: ["message_id"];
            isOneToOne: false;
            referencedRelation: "messages";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "media_files_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "message_cache": {
        Row: {
          "account_id": string | null;
          "attempts": number;
          "created_at": string;
          "event_data": NonNullable<Json>;
          "event_id": string;
          "event_type": string;
          "from_number": string;
          "hook_id": string;
          "id": string;
          "last_attempt": string | null;
          "message_id": string;
          "reason": string;
          "replay_count": number;
          "timestamp": string;
          "to_number": string;
          "webhook_id": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "account_id"?: string | null;
          "attempts"?: number;
          "created_at"?: string;
          "event_data": NonNullable<Json>;
          "event_id": string;
          "event_type": string;
          "from_number"?: string;
          "hook_id": string;
          "id"?: string;
          "last_attempt"?: string | null;
          "message_id"?: string;
          "reason"?: string;
          "replay_count"?: number;
          "timestamp"?: string;
          "to_number"?: string;
          "webhook_id": string;
          "workspace_id": string;
        };
        Update: {
          "account_id"?: string | null;
          "attempts"?: number;
          "created_at"?: string;
          "event_data"?: NonNullable<Json>;
          "event_id"?: string;
          "event_type"?: string;
          "from_number"?: string;
          "hook_id"?: string;
          "id"?: string;
          "last_attempt"?: string | null;
          "message_id"?: string;
          "reason"?: string;
          "replay_count"?: number;
          "timestamp"?: string;
          "to_number"?: string;
          "webhook_id"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "message_cache_hook_id_fkey";
            columns: ["hook_id"];
            isOneToOne: false;
            referencedRelation: "hooks";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "message_cache_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "message_templates": {
        Row: {
          "category": Database["public"]["Enums"]["template_category"];
          "channel_id": string;
          "components": NonNullable<Json>;
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "language": string;
          "last_synced_at": string | null;
          "name": string;
          "parameter_format": string | null;
          "provider_template_id": string | null;
          "rejected_reason": string | null;
          "status": Database["public"]["Enums"]["template_status"];
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "category": Database["public"]["Enums"]["template_category"];
          "channel_id": string;
          "components"?: NonNullable<Json>;
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "language": string;
          "last_synced_at"?: string | null;
          "name": string;
          "parameter_format"?: string | null;
          "provider_template_id"?: string | null;
          "rejected_reason"?: string | null;
          "status"?: Database["public"]["Enums"]["template_status"];
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "category"?: Database["public"]["Enums"]["template_category"];
          "channel_id"?: string;
          "components"?: NonNullable<Json>;
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "language"?: string;
          "last_synced_at"?: string | null;
          "name"?: string;
          "parameter_format"?: string | null;
          "provider_template_id"?: string | null;
          "rejected_reason"?: string | null;
          "status"?: Database["public"]["Enums"]["template_status"];
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "message_templates_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "message_templates_workspace_id_channel_id_fkey";
            columns: ["workspace_id", "channel_id"];
            isOneToOne: false;
            referencedRelation: "channels";
            referencedColumns: ["workspace_id", "id"];
          },
        ];
      };
      "messages": {
        Row: {
          "automation_id": string | null;
          "campaign_id": string | null;
          "channel_id": string;
          "contact_id": string | null;
          "content": string | null;
          "conversation_id": string;
          "created_at": string;
          "created_by": string | null;
          "deleted_at": string | null;
          "delivered_at": string | null;
          "direction": Database["public"]["Enums"]["message_direction"];
          "edited_at": string | null;
          "error_code": number | null;
          "error_message": string | null;
          "error_title": string | null;
          "errors": Json | null;
          "event_id": string | null;
          "failed_at": string | null;
          "forward_score": number;
          "hook_id": string | null;
          "id": string;
          "idempotency_key": string | null;
          "invoice_id": string | null;
          "is_forwarded": boolean;
          "is_starred": boolean;
          "location_address": string | null;
          "location_latitude": number | null;
          "location_longitude": number | null;
          "location_name": string | null;
          "media_duration": number | null;
          "media_filename": string | null;
          "media_id": string | null;
          "media_mime_type": string | null;
          "media_path": string | null;
          "media_sha256": string | null;
          "media_size": number | null;
          "media_url": string | null;
          "mentions": (string)[];
          "order_id": string | null;
          "participant_jid": string | null;
          "payload": Json | null;
          "provider_message_id": string | null;
          "provider_timestamp": string | null;
          "provider_type": string | null;
          "push_name": string | null;
          "quoted_content": string | null;
          "quoted_message_id": string | null;
          "quoted_provider_message_id": string | null;
          "reaction_emoji": string | null;
          "reaction_target_id": string | null;
          "reactions": NonNullable<Json>;
          "read_at": string | null;
          "recipient_identifier": string | null;
          "remote_jid": string | null;
          "sender_identifier": string | null;
          "sent_at": string | null;
          "status": Database["public"]["Enums"]["message_status"];
          "template_id": string | null;
          "template_params": Json | null;
          "type": Database["public"]["Enums"]["message_type"];
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "automation_id"?: string | null;
          "campaign_id"?: string | null;
          "channel_id": string;
          "contact_id"?: string | null;
          "content"?: string | null;
          "conversation_id": string;
          "created_at"?: string;
          "created_by"?: string | null;
          "deleted_at"?: string | null;
          "delivered_at"?: string | null;
          "direction": Database["public"]["Enums"]["message_direction"];
          "edited_at"?: string | null;
          "error_code"?: number | null;
          "error_message"?: string | null;
          "error_title"?: string | null;
          "errors"?: Json | null;
          "event_id"?: string | null;
          "failed_at"?: string | null;
          "forward_score"?: number;
          "hook_id"?: string | null;
          "id"?: string;
          "idempotency_key"?: string | null;
          "invoice_id"?: string | null;
          "is_forwarded"?: boolean;
          "is_starred"?: boolean;
          "location_address"?: string | null;
          "location_latitude"?: number | null;
          "location_longitude"?: number | null;
          "location_name"?: string | null;
          "media_duration"?: number | null;
          "media_filename"?: string | null;
          "media_id"?: string | null;
          "media_mime_type"?: string | null;
          "media_path"?: string | null;
          "media_sha256"?: string | null;
          "media_size"?: number | null;
          "media_url"?: string | null;
          "mentions"?: (string)[];
          "order_id"?: string | null;
          "participant_jid"?: string | null;
          "payload"?: Json | null;
          "provider_message_id"?: string | null;
          "provider_timestamp"?: string | null;
          "provider_type"?: string | null;
          "push_name"?: string | null;
          "quoted_content"?: string | null;
          "quoted_message_id"?: string | null;
          "quoted_provider_message_id"?: string | null;
          "reaction_emoji"?: string | null;
          "reaction_target_id"?: string | null;
          "reactions"?: NonNullable<Json>;
          "read_at"?: string | null;
          "recipient_identifier"?: string | null;
          "remote_jid"?: string | null;
          "sender_identifier"?: string | null;
          "sent_at"?: string | null;
          "status"?: Database["public"]["Enums"]["message_status"];
          "template_id"?: string | null;
          "template_params"?: Json | null;
          "type"?: Database["public"]["Enums"]["message_type"];
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "automation_id"?: string | null;
          "campaign_id"?: string | null;
          "channel_id"?: string;
          "contact_id"?: string | null;
          "content"?: string | null;
          "conversation_id"?: string;
          "created_at"?: string;
          "created_by"?: string | null;
          "deleted_at"?: string | null;
          "delivered_at"?: string | null;
          "direction"?: Database["public"]["Enums"]["message_direction"];
          "edited_at"?: string | null;
          "error_code"?: number | null;
          "error_message"?: string | null;
          "error_title"?: string | null;
          "errors"?: Json | null;
          "event_id"?: string | null;
          "failed_at"?: string | null;
          "forward_score"?: number;
          "hook_id"?: string | null;
          "id"?: string;
          "idempotency_key"?: string | null;
          "invoice_id"?: string | null;
          "is_forwarded"?: boolean;
          "is_starred"?: boolean;
          "location_address"?: string | null;
          "location_latitude"?: number | null;
          "location_longitude"?: number | null;
          "location_name"?: string | null;
          "media_duration"?: number | null;
          "media_filename"?: string | null;
          "media_id"?: string | null;
          "media_mime_type"?: string | null;
          "media_path"?: string | null;
          "media_sha256"?: string | null;
          "media_size"?: number | null;
          "media_url"?: string | null;
          "mentions"?: (string)[];
          "order_id"?: string | null;
          "participant_jid"?: string | null;
          "payload"?: Json | null;
          "provider_message_id"?: string | null;
          "provider_timestamp"?: string | null;
          "provider_type"?: string | null;
          "push_name"?: string | null;
          "quoted_content"?: string | null;
          "quoted_message_id"?: string | null;
          "quoted_provider_message_id"?: string | null;
          "reaction_emoji"?: string | null;
          "reaction_target_id"?: string | null;
          "reactions"?: NonNullable<Json>;
          "read_at"?: string | null;
          "recipient_identifier"?: string | null;
          "remote_jid"?: string | null;
          "sender_identifier"?: string | null;
          "sent_at"?: string | null;
          "status"?: Database["public"]["Enums"]["message_status"];
          "template_id"?: string | null;
          "template_params"?: Json | null;
          "type"?: Database["public"]["Enums"]["message_type"];
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "messages_automation_id_fkey";
            columns: ["automation_id"];
            isOneToOne: false;
            referencedRelation: "automations";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_campaign_id_fkey";
            columns: ["campaign_id"];
            isOneToOne: false;
            referencedRelation: "campaigns";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_conversation_id_fkey";
            columns: ["conversation_id"];
            isOneToOne: false;
            referencedRelation: "conversations";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_event_id_fkey";
            columns: ["event_id"];
            isOneToOne: false;
            referencedRelation: "events";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_hook_id_fkey";
            columns: ["hook_id"];
            isOneToOne: false;
            referencedRelation: "hooks";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_invoice_id_fkey";
            columns: ["invoice_id"];
            isOneToOne: false;
            referencedRelation: "invoices";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_order_id_fkey";
            columns: ["order_id"];
            isOneToOne: false;
            referencedRelation: "orders";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_quoted_message_id_fkey";
            columns: ["quoted_message_id"];
            isOneToOne: false;
            referencedRelation: "messages";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "messages_template_id_fkey";
            columns: ["template_id"];
            isOneToOne: false;
            referencedRelation: "message_templates";
            referencedColumns: ["id"];
          },
        ];
      };
      "notifications": {
        Row: {
          "action_url": string | null;
          "body": string;
          "created_at": string;
          "id": string;
          "is_read": boolean | null;
          "read_at": string | null;
          "reference_id": string | null;
          "reference_type": string | null;
          "title": string;
          "type": string;
          "user_id": string;
          "workspace_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "action_url"?: string | null;
          "body": string;
          "created_at"?: string;
          "id"?: string;
          "is_read"?: never;
          "read_at"?: string | null;
          "reference_id"?: string | null;
          "reference_type"?: string | null;
          "title": string;
          "type": string;
          "user_id": string;
          "workspace_id"?: string | null;
        };
        Update: {
          "action_url"?: string | null;
          "body"?: string;
          "created_at"?: string;
          "id"?: string;
          "is_read"?: never;
          "read_at"?: string | null;
          "reference_id"?: string | null;
          "reference_type"?: string | null;
          "title"?: string;
          "type"?: string;
          "user_id"?: string;
          "workspace_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "notifications_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "notifications_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "order_items": {
        Row: {
          "created_at": string;
          "id": string;
          "inventory_item_id": string | null;
          "item_description": string | null;
          "item_name": string;
          "order_id": string;
          "quantity": number;
          "total_price": number;
          "unit_price": number | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "id"?: string;
          "inventory_item_id"?: string | null;
          "item_description"?: string | null;
          "item_name"?: string;
          "order_id": string;
          "quantity"?: number;
          "total_price"?: number;
          "unit_price"?: number | null;
          "workspace_id": string;
        };
        Update: {
          "created_at"?: string;
          "id"?: string;
          "inventory_item_id"?: string | null;
          "item_description"?: string | null;
          "item_name"?: string;
          "order_id"?: string;
          "quantity"?: number;
          "total_price"?: number;
          "unit_price"?: number | null;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "order_items_inventory_item_id_fkey";
            columns: ["inventory_item_id"];
            isOneToOne: false;
            referencedRelation: "inventory_items";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "order_items_order_id_workspace_id_fkey";
            columns: ["order_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "orders";
            referencedColumns: ["id", "workspace_id"];
          },
        ];
      };
      "order_status_changes": {
        Row: {
          "changed_at": string;
          "changed_by": string | null;
          "from_status": Database["public"]["Enums"]["work_order_status"] | null;
          "id": string;
          "message_error": string | null;
          "message_id": string | null;
          "order_id": string;
          "to_status": Database["public"]["Enums"]["work_order_status"];
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "changed_at"?: string;
          "changed_by"?: string | null;
          "from_status"?: Database["public"]["Enums"]["work_order_status"] | null;
          "id"?: string;
          "message_error"?: string | null;
          "message_id"?: string | null;
          "order_id": string;
          "to_status": Database["public"]["Enums"]["work_order_status"];
          "workspace_id": string;
        };
        Update: {
          "changed_at"?: string;
          "changed_by"?: string | null;
          "from_status"?: Database["public"]["Enums"]["work_order_status"] | null;
          "id"?: string;
          "message_error"?: string | null;
          "message_id"?: string | null;
          "order_id"?: string;
          "to_status"?: Database["public"]["Enums"]["work_order_status"];
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "order_status_changes_changed_by_fkey";
            columns: ["changed_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "order_status_changes_message_id_fkey";
            columns: ["message_id"];
            isOneToOne: false;
            referencedRelation: "messages";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "order_status_changes_order_id_workspace_id_fkey";
            columns: ["order_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "orders";
            referencedColumns: ["id", "workspace_id"];
          },
        ];
      };
      "order_status_templates": {
        Row: {
          "created_at": string;
          "created_by": string | null;
          "id": string;
          "is_active": boolean;
          "parameters": NonNullable<Json>;
          "status": Database["public"]["Enums"]["work_order_status"];
          "template_id": string;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "parameters"?: NonNullable<Json>;
          "status": Database["public"]["Enums"]["work_order_status"];
          "template_id": string;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "created_at"?: string;
          "created_by"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "parameters"?: NonNullable<Json>;
          "status"?: Database["public"]["Enums"]["work_order_status"];
          "template_id"?: string;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "order_status_templates_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "order_status_templates_template_id_fkey";
            columns: ["template_id"];
            isOneToOne: false;
            referencedRelation: "message_templates";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "order_status_templates_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "orders": {
        Row: {
          "agent_id": number | null;
          "agent_order_id": number | null;
          "amount_paid": number;
          "assigned_to": string | null;
          "balance_due": number;
          "cancel_reason": string | null;
          "cancelled_at": string | null;
          "completed_at": string | null;
          "contact_id": string | null;
          "created_at": string;
          "created_by": string | null;
          "currency": string;
          "customer_email": string | null;
          "customer_name": string;
          "customer_phone": string | null;
          "deposit_amount": number | null;
          "description": string | null;
          "discount": number;
          "due_date": string | null;
          "id": string;
          "notes": string | null;
          "number": number;
          "order_date": string;
          "order_number": string;
          "payment_status": Database["public"]["Enums"]["payment_status"];
          "priority": Database["public"]["Enums"]["priority_level"];
          "source": string;
          "started_at": string | null;
          "status": Database["public"]["Enums"]["work_order_status"];
          "subtotal": number;
          "tax": number;
          "tax_rate": number | null;
          "title": string;
          "total_amount": number;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_id"?: number | null;
          "agent_order_id"?: number | null;
          "amount_paid"?: number;
          "assigned_to"?: string | null;
          "balance_due"?: never;
          "cancel_reason"?: string | null;
          "cancelled_at"?: string | null;
          "completed_at"?: string | null;
          "contact_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "currency"?: string;
          "customer_email"?: string | null;
          "customer_name"?: string;
          "customer_phone"?: string | null;
          "deposit_amount"?: number | null;
          "description"?: string | null;
          "discount"?: number;
          "due_date"?: string | null;
          "id"?: string;
          "notes"?: string | null;
          "number"?: number;
          "order_date"?: string;
          "order_number"?: string;
          "payment_status"?: never;
          "priority"?: Database["public"]["Enums"]["priority_level"];
          "source"?: string;
          "started_at"?: string | null;
          "status"?: Database["public"]["Enums"]["work_order_status"];
          "subtotal"?: number;
          "tax"?: number;
          "tax_rate"?: number | null;
          "title": string;
          "total_amount"?: number;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "agent_id"?: number | null;
          "agent_order_id"?: number | null;
          "amount_paid"?: number;
          "assigned_to"?: string | null;
          "balance_due"?: never;
          "cancel_reason"?: string | null;
          "cancelled_at"?: string | null;
          "completed_at"?: string | null;
          "contact_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "currency"?: string;
          "customer_email"?: string | null;
          "customer_name"?: string;
          "customer_phone"?: string | null;
          "deposit_amount"?: number | null;
          "description"?: string | null;
          "discount"?: number;
          "due_date"?: string | null;
          "id"?: string;
          "notes"?: string | null;
          "number"?: number;
          "order_date"?: string;
          "order_number"?: string;
          "payment_status"?: never;
          "priority"?: Database["public"]["Enums"]["priority_level"];
          "source"?: string;
          "started_at"?: string | null;
          "status"?: Database["public"]["Enums"]["work_order_status"];
          "subtotal"?: number;
          "tax"?: number;
          "tax_rate"?: number | null;
          "title"?: string;
          "total_amount"?: number;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "orders_agent_id_fkey";
            columns: ["agent_id"];
            isOneToOne: false;
            referencedRelation: "agents";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "orders_assigned_to_fkey";
            columns: ["assigned_to"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "orders_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "orders_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "orders_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "product_counter_deltas": {
        Row: {
          "id": number;
          "likes": number;
          "product_id": string;
          "rating_total": number;
          "reviews": number;
          "sales": number;
        };
        ComputedFields: never;
        Insert: {
          "id"?: never;
          "likes"?: number;
          "product_id": string;
          "rating_total"?: number;
          "reviews"?: number;
          "sales"?: number;
        };
        Update: {
          "id"?: never;
          "likes"?: number;
          "product_id"?: string;
          "rating_total"?: number;
          "reviews"?: number;
          "sales"?: number;
        };
        Relationships: [];
      };
      "product_likes": {
        Row: {
          "created_at": string;
          "id": string;
          "product_id": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "id"?: string;
          "product_id": string;
          "user_id"?: string;
        };
        Update: {
          "created_at"?: string;
          "id"?: string;
          "product_id"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "product_likes_product_id_fkey";
            columns: ["product_id"];
            isOneToOne: false;
            referencedRelation: "marketplace_listings";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "product_likes_product_id_fkey";
            columns: ["product_id"];
            isOneToOne: false;
            referencedRelation: "marketplace_products";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "product_likes_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "product_review_votes": {
        Row: {
          "created_at": string;
          "review_id": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "review_id": string;
          "user_id"?: string;
        };
        Update: {
          "created_at"?: string;
          "review_id"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "product_review_votes_review_id_fkey";
            columns: ["review_id"];
            isOneToOne: false;
            referencedRelation: "product_reviews";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "product_review_votes_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "product_reviews": {
        Row: {
          "created_at": string;
          "helpful_count": number;
          "id": string;
          "images": (string)[];
          "product_id": string;
          "rating": number;
          "review_text": string | null;
          "updated_at": string;
          "user_id": string;
          "verified_purchase": boolean;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "helpful_count"?: number;
          "id"?: string;
          "images"?: (string)[];
          "product_id": string;
          "rating": number;
          "review_text"?: string | null;
          "updated_at"?: string;
          "user_id"?: string;
          "verified_purchase"?: boolean;
        };
        Update: {
          "created_at"?: string;
          "helpful_count"?: number;
          "id"?: string;
          "images"?: (string)[];
          "product_id"?: string;
          "rating"?: number;
          "review_text"?: string | null;
          "updated_at"?: string;
          "user_id"?: string;
          "verified_purchase"?: boolean;
        };
        Relationships: [
          {
            foreignKeyName: "product_reviews_product_id_fkey";
            columns: ["product_id"];
            isOneToOne: false;
            referencedRelation: "marketplace_listings";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "product_reviews_product_id_fkey";
            columns: ["product_id"];
            isOneToOne: false;
            referencedRelation: "marketplace_products";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "product_reviews_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "product_views": {
        Row: {
          "id": number;
          "product_id": string;
          "viewed_at": string;
        };
        ComputedFields: never;
        Insert: {
          "id"?: never;
          "product_id": string;
          "viewed_at"?: string;
        };
        Update: {
          "id"?: never;
          "product_id"?: string;
          "viewed_at"?: string;
        };
        Relationships: [];
      };
      "profiles": {
        Row: {
          "account_type": Database["public"]["Enums"]["account_type"];
          "avatar_url": string | null;
          "business_type": Database["public"]["Enums"]["business_type"] | null;
          "country_code": string | null;
          "created_at": string;
          "data_residency_region": string | null;
          "deleted_at": string | null;
          "email": string | null;
          "first_name": string | null;
          "full_name": string | null;
          "id": string;
          "last_login_at": string | null;
          "last_name": string | null;
          "onboarding_completed": boolean;
          "onboarding_step": string | null;
          "phone": string | null;
          "platform_role": Database["public"]["Enums"]["platform_role"];
          "region": string | null;
          "status": Database["public"]["Enums"]["profile_status"];
          "updated_at": string;
          "username": string | null;
        };
        ComputedFields: never;
        Insert: {
          "account_type"?: Database["public"]["Enums"]["account_type"];
          "avatar_url"?: string | null;
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "country_code"?: string | null;
          "created_at"?: string;
          "data_residency_region"?: string | null;
          "deleted_at"?: string | null;
          "email"?: string | null;
          "first_name"?: string | null;
          "full_name"?: string | null;
          "id": string;
          "last_login_at"?: string | null;
          "last_name"?: string | null;
          "onboarding_completed"?: boolean;
          "onboarding_step"?: string | null;
          "phone"?: string | null;
          "platform_role"?: Database["public"]["Enums"]["platform_role"];
          "region"?: string | null;
          "status"?: Database["public"]["Enums"]["profile_status"];
          "updated_at"?: string;
          "username"?: string | null;
        };
        Update: {
          "account_type"?: Database["public"]["Enums"]["account_type"];
          "avatar_url"?: string | null;
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "country_code"?: string | null;
          "created_at"?: string;
          "data_residency_region"?: string | null;
          "deleted_at"?: string | null;
          "email"?: string | null;
          "first_name"?: string | null;
          "full_name"?: string | null;
          "id"?: string;
          "last_login_at"?: string | null;
          "last_name"?: string | null;
          "onboarding_completed"?: boolean;
          "onboarding_step"?: string | null;
          "phone"?: string | null;
          "platform_role"?: Database["public"]["Enums"]["platform_role"];
          "region"?: string | null;
          "status"?: Database["public"]["Enums"]["profile_status"];
          "updated_at"?: string;
          "username"?: string | null;
        };
        Relationships: [];
      };
      "social_media_connections": {
        Row: {
          "account_type": string | null;
          "connected_at": string;
          "id": string;
          "inactive_reason": string | null;
          "is_active": boolean;
          "last_synced_at": string | null;
          "metadata": NonNullable<Json>;
          "permissions": (string)[];
          "platform": Database["public"]["Enums"]["social_platform"];
          "platform_user_id": string;
          "refresh_token_expires_at": string | null;
          "token_expires_at": string | null;
          "token_refreshed_at": string;
          "updated_at": string;
          "user_id": string;
          "username": string | null;
          "workspace_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "account_type"?: string | null;
          "connected_at"?: string;
          "id"?: string;
          "inactive_reason"?: string | null;
          "is_active"?: boolean;
          "last_synced_at"?: string | null;
          "metadata"?: NonNullable<Json>;
          "permissions"?: (string)[];
          "platform": Database["public"]["Enums"]["social_platform"];
          "platform_user_id": string;
          "refresh_token_expires_at"?: string | null;
          "token_expires_at"?: string | null;
          "token_refreshed_at"?: string;
          "updated_at"?: string;
          "user_id"?: string;
          "username"?: string | null;
          "workspace_id"?: string | null;
        };
        Update: {
          "account_type"?: string | null;
          "connected_at"?: string;
          "id"?: string;
          "inactive_reason"?: string | null;
          "is_active"?: boolean;
          "last_synced_at"?: string | null;
          "metadata"?: NonNullable<Json>;
          "permissions"?: (string)[];
          "platform"?: Database["public"]["Enums"]["social_platform"];
          "platform_user_id"?: string;
          "refresh_token_expires_at"?: string | null;
          "token_expires_at"?: string | null;
          "token_refreshed_at"?: string;
          "updated_at"?: string;
          "user_id"?: string;
          "username"?: string | null;
          "workspace_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "social_media_connections_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "social_media_connections_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "tasks": {
        Row: {
          "assignee_id": string | null;
          "completed_at": string | null;
          "contact_id": string | null;
          "conversation_id": string | null;
          "created_at": string;
          "created_by": string | null;
          "description": string | null;
          "due_date": string | null;
          "id": string;
          "overdue_notified_at": string | null;
          "parent_task_id": string | null;
          "position": number;
          "priority": Database["public"]["Enums"]["priority_level"];
          "reminded_at": string | null;
          "status": Database["public"]["Enums"]["task_status"];
          "sub_status": Database["public"]["Enums"]["task_sub_status"] | null;
          "title": string;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "assignee_id"?: string | null;
          "completed_at"?: string | null;
          "contact_id"?: string | null;
          "conversation_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "due_date"?: string | null;
          "id"?: string;
          "overdue_notified_at"?: string | null;
          "parent_task_id"?: string | null;
          "position"?: number;
          "priority"?: Database["public"]["Enums"]["priority_level"];
          "reminded_at"?: string | null;
          "status"?: Database["public"]["Enums"]["task_status"];
          "sub_status"?: Database["public"]["Enums"]["task_sub_status"] | null;
          "title": string;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "assignee_id"?: string | null;
          "completed_at"?: string | null;
          "contact_id"?: string | null;
          "conversation_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "due_date"?: string | null;
          "id"?: string;
          "overdue_notified_at"?: string | null;
          "parent_task_id"?: string | null;
          "position"?: number;
          "priority"?: Database["public"]["Enums"]["priority_level"];
          "reminded_at"?: string | null;
          "status"?: Database["public"]["Enums"]["task_status"];
          "sub_status"?: Database["public"]["Enums"]["task_sub_status"] | null;
          "title"?: string;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "tasks_assignee_id_fkey";
            columns: ["assignee_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "tasks_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "tasks_conversation_id_fkey";
            columns: ["conversation_id"];
            isOneToOne: false;
            referencedRelation: "conversations";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "tasks_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "tasks_parent_task_id_workspace_id_fkey";
            columns: ["parent_task_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "tasks";
            referencedColumns: ["id", "workspace_id"];
          },
          {
            foreignKeyName: "tasks_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "transaction_allocations": {
        Row: {
          "amount": number;
          "auto_split_id": string | null;
          "category": string;
          "created_at": string;
          "currency": string;
          "date": string;
          "id": string;
          "transaction_id": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "amount": number;
          "auto_split_id"?: string | null;
          "category": string;
          "created_at"?: string;
          "currency": string;
          "date": string;
          "id"?: string;
          "transaction_id": string;
          "workspace_id": string;
        };
        Update: {
          "amount"?: number;
          "auto_split_id"?: string | null;
          "category"?: string;
          "created_at"?: string;
          "currency"?: string;
          "date"?: string;
          "id"?: string;
          "transaction_id"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "transaction_allocations_auto_split_id_fkey";
            columns: ["auto_split_id"];
            isOneToOne: false;
            referencedRelation: "auto_splits";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "transaction_allocations_transaction_id_workspace_id_fkey";
            columns: ["transaction_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "transactions";
            referencedColumns: ["id", "workspace_id"];
          },
        ];
      };
      "transactions": {
        Row: {
          "amount": number;
          "category": string;
          "contact_id": string | null;
          "created_at": string;
          "created_by": string | null;
          "currency": string;
          "date": string;
          "description": string | null;
          "id": string;
          "invoice_id": string | null;
          "metadata": NonNullable<Json>;
          "order_id": string | null;
          "payment_method": string | null;
          "transaction_type": Database["public"]["Enums"]["transaction_type"];
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "amount": number;
          "category": string;
          "contact_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "currency"?: string;
          "date"?: string;
          "description"?: string | null;
          "id"?: string;
          "invoice_id"?: string | null;
          "metadata"?: NonNullable<Json>;
          "order_id"?: string | null;
          "payment_method"?: string | null;
          "transaction_type": Database["public"]["Enums"]["transaction_type"];
          "workspace_id": string;
        };
        Update: {
          "amount"?: number;
          "category"?: string;
          "contact_id"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "currency"?: string;
          "date"?: string;
          "description"?: string | null;
          "id"?: string;
          "invoice_id"?: string | null;
          "metadata"?: NonNullable<Json>;
          "order_id"?: string | null;
          "payment_method"?: string | null;
          "transaction_type"?: Database["public"]["Enums"]["transaction_type"];
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "transactions_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "transactions_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "transactions_invoice_id_fkey";
            columns: ["invoice_id"];
            isOneToOne: false;
            referencedRelation: "invoices";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "transactions_order_id_fkey";
            columns: ["order_id"];
            isOneToOne: false;
            referencedRelation: "orders";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "transactions_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "verification_logs": {
        Row: {
          "id": string;
          "metadata": Json | null;
          "provider": string;
          "sent_at": string;
          "sent_to": string;
          "status": Database["public"]["Enums"]["verification_status"];
          "token_hash": string | null;
          "user_id": string;
          "verification_type": Database["public"]["Enums"]["verification_type"];
          "verified_at": string | null;
        };
        ComputedFields: never;
        Insert: {
          "id"?: string;
          "metadata"?: Json | null;
          "provider"?: string;
          "sent_at"?: string;
          "sent_to": string;
          "status": Database["public"]["Enums"]["verification_status"];
          "token_hash"?: string | null;
          "user_id": string;
          "verification_type": Database["public"]["Enums"]["verification_type"];
          "verified_at"?: string | null;
        };
        Update: {
          "id"?: string;
          "metadata"?: Json | null;
          "provider"?: string;
          "sent_at"?: string;
          "sent_to"?: string;
          "status"?: Database["public"]["Enums"]["verification_status"];
          "token_hash"?: string | null;
          "user_id"?: string;
          "verification_type"?: Database["public"]["Enums"]["verification_type"];
          "verified_at"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "verification_logs_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "webhook_events": {
        Row: {
          "body_sha256": string;
          "channel_id": string;
          "created_at": string;
          "error": string | null;
          "event_type": string;
          "id": number;
          "last_attempt_at": string | null;
          "payload": Json | null;
          "processed": boolean;
          "processed_at": string | null;
          "provider": Database["public"]["Enums"]["channel_provider"];
          "raw_body": string | null;
          "retry_count": number;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "body_sha256": string;
          "channel_id": string;
          "created_at"?: string;
          "error"?: string | null;
          "event_type": string;
          "id"?: never;
          "last_attempt_at"?: string | null;
          "payload"?: Json | null;
          "processed"?: boolean;
          "processed_at"?: string | null;
          "provider": Database["public"]["Enums"]["channel_provider"];
          "raw_body"?: string | null;
          "retry_count"?: number;
          "workspace_id": string;
        };
        Update: {
          "body_sha256"?: string;
          "channel_id"?: string;
          "created_at"?: string;
          "error"?: string | null;
          "event_type"?: string;
          "id"?: never;
          "last_attempt_at"?: string | null;
          "payload"?: Json | null;
          "processed"?: boolean;
          "processed_at"?: string | null;
          "provider"?: Database["public"]["Enums"]["channel_provider"];
          "raw_body"?: string | null;
          "retry_count"?: number;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "webhook_events_channel_id_workspace_id_fkey";
            columns: ["channel_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "channels";
            referencedColumns: ["id", "workspace_id"];
          },
        ];
      };
      "whatsapp_groups": {
        Row: {
          "channel_id": string;
          "created_at": string;
          "description": string | null;
          "group_created_at": string | null;
          "group_jid": string;
          "id": string;
          "is_announcement": boolean;
          "is_muted": boolean;
          "is_restricted": boolean;
          "mute_until": string | null;
          "my_role": Database["public"]["Enums"]["group_role"];
          "name": string | null;
          "owner_jid": string | null;
          "participants": NonNullable<Json>;
          "participants_count": number;
          "picture_url": string | null;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "channel_id": string;
          "created_at"?: string;
          "description"?: string | null;
          "group_created_at"?: string | null;
          "group_jid": string;
          "id"?: string;
          "is_announcement"?: boolean;
          "is_muted"?: boolean;
          "is_restricted"?: boolean;
          "mute_until"?: string | null;
          "my_role"?: Database["public"]["Enums"]["group_role"];
          "name"?: string | null;
          "owner_jid"?: string | null;
          "participants"?: NonNullable<Json>;
          "participants_count"?: number;
          "picture_url"?: string | null;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "channel_id"?: string;
          "created_at"?: string;
          "description"?: string | null;
          "group_created_at"?: string | null;
          "group_jid"?: string;
          "id"?: string;
          "is_announcement"?: boolean;
          "is_muted"?: boolean;
          "is_restricted"?: boolean;
          "mute_until"?: string | null;
          "my_role"?: Database["public"]["Enums"]["group_role"];
          "name"?: string | null;
          "owner_jid"?: string | null;
          "participants"?: NonNullable<Json>;
          "participants_count"?: number;
          "picture_url"?: string | null;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "whatsapp_groups_workspace_id_channel_id_fkey";
            columns: ["workspace_id", "channel_id"];
            isOneToOne: false;
            referencedRelation: "channels";
            referencedColumns: ["workspace_id", "id"];
          },
        ];
      };
      "workspace_invitations": {
        Row: {
          "accepted_at": string | null;
          "accepted_by": string | null;
          "created_at": string;
          "email": string;
          "expires_at": string;
          "id": string;
          "invited_by": string | null;
          "metadata": Json | null;
          "role": Database["public"]["Enums"]["member_role"];
          "status": Database["public"]["Enums"]["invitation_status"];
          "token_hash": string;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "accepted_at"?: string | null;
          "accepted_by"?: string | null;
          "created_at"?: string;
          "email": string;
          "expires_at": string;
          "id"?: string;
          "invited_by"?: string | null;
          "metadata"?: Json | null;
          "role"?: Database["public"]["Enums"]["member_role"];
          "status"?: Database["public"]["Enums"]["invitation_status"];
          "token_hash": string;
          "updated_at"?: string;
          "workspace_id": string;
        };
        Update: {
          "accepted_at"?: string | null;
          "accepted_by"?: string | null;
          "created_at"?: string;
          "email"?: string;
          "expires_at"?: string;
          "id"?: string;
          "invited_by"?: string | null;
          "metadata"?: Json | null;
          "role"?: Database["public"]["Enums"]["member_role"];
          "status"?: Database["public"]["Enums"]["invitation_status"];
          "token_hash"?: string;
          "updated_at"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "workspace_invitations_accepted_by_fkey";
            columns: ["accepted_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "workspace_invitations_invited_by_fkey";
            columns: ["invited_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "workspace_invitations_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "workspace_members": {
        Row: {
          "created_at": string;
          "id": string;
          "invited_by": string | null;
          "joined_at": string;
          "permissions": NonNullable<Json>;
          "role": Database["public"]["Enums"]["member_role"];
          "status": Database["public"]["Enums"]["member_status"];
          "updated_at": string;
          "user_id": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "id"?: string;
          "invited_by"?: string | null;
          "joined_at"?: string;
          "permissions"?: NonNullable<Json>;
          "role"?: Database["public"]["Enums"]["member_role"];
          "status"?: Database["public"]["Enums"]["member_status"];
          "updated_at"?: string;
          "user_id": string;
          "workspace_id": string;
        };
        Update: {
          "created_at"?: string;
          "id"?: string;
          "invited_by"?: string | null;
          "joined_at"?: string;
          "permissions"?: NonNullable<Json>;
          "role"?: Database["public"]["Enums"]["member_role"];
          "status"?: Database["public"]["Enums"]["member_status"];
          "updated_at"?: string;
          "user_id"?: string;
          "workspace_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "workspace_members_invited_by_fkey";
            columns: ["invited_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "workspace_members_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "workspace_members_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "workspaces": {
        Row: {
          "allow_backorders": boolean;
          "business_documents": Json | null;
          "business_type": Database["public"]["Enums"]["business_type"] | null;
          "created_at": string;
          "created_by": string | null;
          "cross_border_enabled": boolean;
          "currency": string;
          "default_tax_rate": number;
          "description": string | null;
          "id": string;
          "invoice_number_format": string;
          "is_personal": boolean;
          "logo_url": string | null;
          "max_agents": number;
          "max_channels": number;
          "max_members": number;
          "media_max_bytes": number;
          "media_retention_days": number | null;
          "name": string;
          "operating_regions": (string)[];
          "order_number_format": string;
          "plan": Database["public"]["Enums"]["workspace_plan"];
          "primary_market": string | null;
          "raw_event_retention_days": number;
          "settings": NonNullable<Json>;
          "slug": string;
          "stripe_account_id": string | null;
          "subscription_ends_at": string | null;
          "subscription_status": Database["public"]["Enums"]["subscription_status"];
          "tax_id": string | null;
          "timezone": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "allow_backorders"?: boolean;
          "business_documents"?: Json | null;
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "cross_border_enabled"?: boolean;
          "currency"?: string;
          "default_tax_rate"?: number;
          "description"?: string | null;
          "id"?: string;
          "invoice_number_format"?: string;
          "is_personal"?: boolean;
          "logo_url"?: string | null;
          "max_agents"?: number;
          "max_channels"?: number;
          "max_members"?: number;
          "media_max_bytes"?: number;
          "media_retention_days"?: number | null;
          "name": string;
          "operating_regions"?: (string)[];
          "order_number_format"?: string;
          "plan"?: Database["public"]["Enums"]["workspace_plan"];
          "primary_market"?: string | null;
          "raw_event_retention_days"?: number;
          "settings"?: NonNullable<Json>;
          "slug": string;
          "stripe_account_id"?: string | null;
          "subscription_ends_at"?: string | null;
          "subscription_status"?: Database["public"]["Enums"]["subscription_status"];
          "tax_id"?: string | null;
          "timezone"?: string;
          "updated_at"?: string;
        };
        Update: {
          "allow_backorders"?: boolean;
          "business_documents"?: Json | null;
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "cross_border_enabled"?: boolean;
          "currency"?: string;
          "default_tax_rate"?: number;
          "description"?: string | null;
          "id"?: string;
          "invoice_number_format"?: string;
          "is_personal"?: boolean;
          "logo_url"?: string | null;
          "max_agents"?: number;
          "max_channels"?: number;
          "max_members"?: number;
          "media_max_bytes"?: number;
          "media_retention_days"?: number | null;
          "name"?: string;
          "operating_regions"?: (string)[];
          "order_number_format"?: string;
          "plan"?: Database["public"]["Enums"]["workspace_plan"];
          "primary_market"?: string | null;
          "raw_event_retention_days"?: number;
          "settings"?: NonNullable<Json>;
          "slug"?: string;
          "stripe_account_id"?: string | null;
          "subscription_ends_at"?: string | null;
          "subscription_status"?: Database["public"]["Enums"]["subscription_status"];
          "tax_id"?: string | null;
          "timezone"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "workspaces_created_by_fkey";
            columns: ["created_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
    };
    Views: {
      "campaign_progress": {
        Row: {
          "campaign_id": string;
          "delivered": number | null;
          "failed": number | null;
          "queued": number | null;
          "read": number | null;
          "sending": number | null;
          "sent": number | null;
          "skipped": number | null;
          "total": number | null;
        };
        ComputedFields: never;
        Relationships: [
          {
            foreignKeyName: "campaign_messages_campaign_id_fkey";
            columns: ["campaign_id"];
            isOneToOne: false;
            referencedRelation: "campaigns";
            referencedColumns: ["id"];
          },
        ];
      };
      "feed_comment_threads": {
        Row: {
          "content": string | null;
          "created_at": string;
          "deleted_at": string | null;
          "feed_id": string;
          "id": string;
          "is_deleted": boolean;
          "is_edited": boolean;
          "like_count": number | null;
          "parent_comment_id": string | null;
          "updated_at": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "content"?: string | null;
          "created_at"?: string | null;
          "deleted_at"?: string | null;
          "feed_id"?: string | null;
          "id"?: string | null;
          "is_deleted"?: boolean | null;
          "is_edited"?: boolean | null;
          "like_count"?: never;
          "parent_comment_id"?: string | null;
          "updated_at"?: string | null;
          "user_id"?: string | null;
        };
        Update: {
          "content"?: string | null;
          "created_at"?: string | null;
          "deleted_at"?: string | null;
          "feed_id"?: string | null;
          "id"?: string | null;
          "is_deleted"?: boolean | null;
          "is_edited"?: boolean | null;
          "like_count"?: never;
          "parent_comment_id"?: string | null;
          "updated_at"?: string | null;
          "user_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "feed_comments_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feed_posts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_comments_feed_id_fkey";
            columns: ["feed_id"];
            isOneToOne: false;
            referencedRelation: "feeds";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feed_comments_parent_comment_id_feed_id_fkey";
            columns: ["parent_comment_id", "feed_id"];
            isOneToOne: false;
            referencedRelation: "feed_comment_threads";
            referencedColumns: ["id", "feed_id"];
          },
          {
            foreignKeyName: "feed_comments_parent_comment_id_feed_id_fkey";
            columns: ["parent_comment_id", "feed_id"];
            isOneToOne: false;
            referencedRelation: "feed_comments";
            referencedColumns: ["id", "feed_id"];
          },
          {
            foreignKeyName: "feed_comments_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "feed_posts": {
        Row: {
          "caption": string | null;
          "comment_count": number | null;
          "created_at": string;
          "feed_type": Database["public"]["Enums"]["feed_type"];
          "id": string;
          "like_count": number | null;
          "location": Json | null;
          "media_paths": (string)[];
          "published_at": string | null;
          "share_count": number | null;
          "status": Database["public"]["Enums"]["feed_status"];
          "tags": (string)[];
          "thumbnail_path": string | null;
          "updated_at": string;
          "user_id": string;
          "view_count": number | null;
          "visibility": Database["public"]["Enums"]["feed_visibility"];
          "workspace_id": string | null;
        };
        ComputedFields: never;
        Relationships: [
          {
            foreignKeyName: "feeds_user_id_fkey";
            columns: ["user_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "feeds_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "finance_allocations": {
        Row: {
          "category": string;
          "currency": string;
          "entries": number | null;
          "month": string | null;
          "total": number | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Relationships: [];
      };
      "finance_monthly": {
        Row: {
          "category": string;
          "currency": string;
          "entries": number | null;
          "month": string | null;
          "total": number | null;
          "transaction_type": Database["public"]["Enums"]["transaction_type"];
          "workspace_id": string;
        };
        ComputedFields: never;
        Relationships: [
          {
            foreignKeyName: "transactions_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "finance_profit": {
        Row: {
          "currency": string;
          "expense": number | null;
          "income": number | null;
          "month": string | null;
          "profit": number | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Relationships: [
          {
            foreignKeyName: "transactions_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "latest_client_measurements": {
        Row: {
          "contact_id": string;
          "created_at": string;
          "id": string;
          "measurement_template_id": string;
          "measurements": NonNullable<Json>;
          "notes": string | null;
          "taken_at": string;
          "taken_by": string | null;
          "updated_at": string;
          "workspace_id": string;
        };
        ComputedFields: never;
        Relationships: [
          {
            foreignKeyName: "client_measurements_contact_id_fkey";
            columns: ["contact_id"];
            isOneToOne: false;
            referencedRelation: "contacts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "client_measurements_measurement_template_id_workspace_id_fkey";
            columns: ["measurement_template_id", "workspace_id"];
            isOneToOne: false;
            referencedRelation: "measurement_templates";
            referencedColumns: ["id", "workspace_id"];
          },
          {
            foreignKeyName: "client_measurements_taken_by_fkey";
            columns: ["taken_by"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "client_measurements_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "marketplace_listings": {
        Row: {
          "archived_at": string | null;
          "available_regions": (string)[];
          "category": string;
          "created_at": string;
          "currency": string | null;
          "customization_options": NonNullable<Json>;
          "description": string | null;
          "id": string;
          "images": (string)[];
          "inventory_item_id": string | null;
          "is_customizable": boolean;
          "likes_count": number | null;
          "price": number;
          "published_at": string | null;
          "rating": number | null;
          "review_count": number | null;
          "sales_count": number | null;
          "seller_id": string | null;
          "status": Database["public"]["Enums"]["product_status"];
          "stock_quantity": number | null;
          "tags": (string)[];
          "title": string;
          "updated_at": string;
          "views_count": number;
          "workspace_id": string;
        };
        ComputedFields: never;
        Relationships: [
          {
            foreignKeyName: "marketplace_products_inventory_item_id_fkey";
            columns: ["inventory_item_id"];
            isOneToOne: false;
            referencedRelation: "inventory_items";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "marketplace_products_seller_id_fkey";
            columns: ["seller_id"];
            isOneToOne: false;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "marketplace_products_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "public_profiles": {
        Row: {
          "account_type": Database["public"]["Enums"]["account_type"];
          "avatar_url": string | null;
          "business_type": Database["public"]["Enums"]["business_type"] | null;
          "follower_count": number | null;
          "following_count": number | null;
          "full_name": string | null;
          "id": string;
          "username": string | null;
        };
        ComputedFields: never;
        Insert: {
          "account_type"?: Database["public"]["Enums"]["account_type"] | null;
          "avatar_url"?: string | null;
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "follower_count"?: never;
          "following_count"?: never;
          "full_name"?: string | null;
          "id"?: string | null;
          "username"?: string | null;
        };
        Update: {
          "account_type"?: Database["public"]["Enums"]["account_type"] | null;
          "avatar_url"?: string | null;
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "follower_count"?: never;
          "following_count"?: never;
          "full_name"?: string | null;
          "id"?: string | null;
          "username"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "profile_cards_id_fkey";
            columns: ["id"];
            isOneToOne: true;
            referencedRelation: "profiles";
            referencedColumns: ["id"];
          },
        ];
      };
      "public_workspaces": {
        Row: {
          "business_type": Database["public"]["Enums"]["business_type"] | null;
          "description": string | null;
          "follower_count": number | null;
          "id": string;
          "logo_url": string | null;
          "name": string;
          "slug": string;
        };
        ComputedFields: never;
        Insert: {
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "description"?: string | null;
          "follower_count"?: never;
          "id"?: string | null;
          "logo_url"?: string | null;
          "name"?: string | null;
          "slug"?: string | null;
        };
        Update: {
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "description"?: string | null;
          "follower_count"?: never;
          "id"?: string | null;
          "logo_url"?: string | null;
          "name"?: string | null;
          "slug"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "workspace_cards_id_fkey";
            columns: ["id"];
            isOneToOne: true;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
      "receivables_aging": {
        Row: {
          "currency": string;
          "current": number | null;
          "days_1_30": number | null;
          "days_31_60": number | null;
          "days_61_90": number | null;
          "days_90_plus": number | null;
          "invoices": number | null;
          "total": number | null;
          "workspace_id": string;
        };
        ComputedFields: never;
        Relationships: [
          {
            foreignKeyName: "invoices_workspace_id_fkey";
            columns: ["workspace_id"];
            isOneToOne: false;
            referencedRelation: "workspaces";
            referencedColumns: ["id"];
          },
        ];
      };
    };
    Functions: {
      "accept_invitation": {
        Args: { "token": string };
        Returns: {
          "created_at": string;
          "id": string;
          "invited_by": string | null;
          "joined_at": string;
          "permissions": NonNullable<Json>;
          "role": Database["public"]["Enums"]["member_role"];
          "status": Database["public"]["Enums"]["member_status"];
          "updated_at": string;
          "user_id": string;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "workspace_members";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "browse_products": {
        Args: {
          "after_id"?: string;
          "after_published_at"?: string;
          "category"?: string;
          "max_price"?: number;
          "max_rows"?: number;
          "min_price"?: number;
          "region"?: string;
          "search"?: string;
          "tags"?: (string)[];
          "workspace_id"?: string;
        };
        Returns: {
          "archived_at": string | null;
          "available_regions": (string)[];
          "category": string;
          "created_at": string;
          "currency": string | null;
          "customization_options": NonNullable<Json>;
          "description": string | null;
          "id": string;
          "images": (string)[];
          "inventory_item_id": string | null;
          "is_customizable": boolean;
          "likes_count": number | null;
          "price": number;
          "published_at": string | null;
          "rating": number | null;
          "review_count": number | null;
          "sales_count": number | null;
          "seller_id": string | null;
          "status": Database["public"]["Enums"]["product_status"];
          "stock_quantity": number | null;
          "tags": (string)[];
          "title": string;
          "updated_at": string;
          "views_count": number;
          "workspace_id": string;
        }[];
        SetofOptions: {
          from: "*";
          to: "marketplace_listings";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "buy_product": {
        Args: {
          "customisations"?: Json;
          "product_id": string;
          "quantity"?: number;
          "region"?: string;
        };
        Returns: {
          "currency": string;
          "order_id": string;
          "order_number": string;
          "status": Database["public"]["Enums"]["work_order_status"];
          "total_amount": number;
        }[];
      };
      "cancel_campaign": {
        Args: { "campaign_id": string };
        Returns: {
          "cancelled_at": string | null;
          "channel_id": string;
          "completed_at": string | null;
          "counted_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "delivered_count": number;
          "description": string | null;
          "failed_count": number;
          "id": string;
          "last_error": string | null;
          "media_type": Database["public"]["Enums"]["message_type"] | null;
          "media_url": string | null;
          "message_content": string | null;
          "name": string;
          "paused_at": string | null;
          "read_count": number;
          "scheduled_at": string | null;
          "sent_count": number;
          "skipped_count": number;
          "started_at": string | null;
          "status": Database["public"]["Enums"]["campaign_status"];
          "target_criteria": NonNullable<Json>;
          "target_type": Database["public"]["Enums"]["campaign_target"];
          "template_id": string | null;
          "template_params": Json | null;
          "total_recipients": number;
          "updated_at": string;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "campaigns";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "change_member_role": {
        Args: {
          "role": Database["public"]["Enums"]["member_role"];
          "user_id": string;
          "workspace_id": string;
        };
        Returns: {
          "created_at": string;
          "id": string;
          "invited_by": string | null;
          "joined_at": string;
          "permissions": NonNullable<Json>;
          "role": Database["public"]["Enums"]["member_role"];
          "status": Database["public"]["Enums"]["member_status"];
          "updated_at": string;
          "user_id": string;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "workspace_members";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "connect_social_account": {
        Args: {
          "access_token": string;
          "account_type"?: string;
          "expires_in"?: number;
          "permissions"?: (string)[];
          "platform": Database["public"]["Enums"]["social_platform"];
          "platform_user_id": string;
          "refresh_expires_in"?: number;
          "refresh_token"?: string;
          "username"?: string;
          "workspace_id"?: string;
        };
        Returns: string;
      };
      "contact_timeline": {
        Args: {
          "before_at"?: string;
          "before_id"?: string;
          "contact_id": string;
          "max_rows"?: number;
        };
        Returns: {
          "at": string;
          "detail": Json;
          "id": string;
          "kind": string;
          "title": string;
        }[];
      };
      "contacts_tagged": {
        Args: {
          "before_id"?: string;
          "labels"?: (string)[];
          "max_results"?: number;
          "tags"?: (string)[];
        };
        Returns: {
          "added_by": string | null;
          "address": string | null;
          "avatar_fetched_at": string | null;
          "avatar_path": string | null;
          "avatar_url": string | null;
          "birthday": string | null;
          "company": string | null;
          "created_at": string;
          "custom_fields": NonNullable<Json>;
          "email": string | null;
          "id": string;
          "interests": string | null;
          "is_favorite": boolean;
          "job_title": string | null;
          "labels": (string)[];
          "last_message_at": string | null;
          "last_order_at": string | null;
          "location": string | null;
          "name": string | null;
          "notes": string | null;
          "opt_out_message_id": string | null;
          "opt_out_reason": string | null;
          "opted_in": boolean;
          "opted_in_at": string | null;
          "opted_out_at": string | null;
          "phone": string | null;
          "priority": Database["public"]["Enums"]["priority_level"] | null;
          "social_media": NonNullable<Json>;
          "source": string;
          "status": Database["public"]["Enums"]["contact_status"];
          "tags": (string)[];
          "total_orders": number;
          "total_revenue": number;
          "updated_at": string;
          "website": string | null;
          "workspace_id": string;
        }[];
        SetofOptions: {
          from: "*";
          to: "contacts";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "create_agent": {
        Args: { "name"?: string; "user_id"?: string; "workspace_id": string };
        Returns: {
          "agent_prefix": string;
          "created_at": string;
          "created_by": string;
          "id": number;
          "name": string;
          "user_id": string | null;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "agents";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "create_api_key": {
        Args: {
          "expires_at"?: string;
          "name": string;
          "permissions"?: (string)[];
          "workspace_id": string;
        };
        Returns: {
          "expires_at": string;
          "id": string;
          "key": string;
          "key_prefix": string;
          "permissions": (string)[];
        }[];
      };
      "create_hook": {
        Args: {
          "allow_insecure"?: boolean;
          "channel_ids"?: (string)[];
          "description"?: string;
          "events"?: (string)[];
          "headers"?: Json;
          "method"?: string;
          "name": string;
          "retry_count"?: number;
          "secret_headers"?: Json;
          "timeout_seconds"?: number;
          "url": string;
          "workspace_id": string;
        };
        Returns: {
          "id": string;
          "secret": string;
        }[];
      };
      "create_workspace": {
        Args: {
          "business_type"?: Database["public"]["Enums"]["business_type"];
          "name": string;
          "slug"?: string;
        };
        Returns: {
          "allow_backorders": boolean;
          "business_documents": Json | null;
          "business_type": Database["public"]["Enums"]["business_type"] | null;
          "created_at": string;
          "created_by": string | null;
          "cross_border_enabled": boolean;
          "currency": string;
          "default_tax_rate": number;
          "description": string | null;
          "id": string;
          "invoice_number_format": string;
          "is_personal": boolean;
          "logo_url": string | null;
          "max_agents": number;
          "max_channels": number;
          "max_members": number;
          "media_max_bytes": number;
          "media_retention_days": number | null;
          "name": string;
          "operating_regions": (string)[];
          "order_number_format": string;
          "plan": Database["public"]["Enums"]["workspace_plan"];
          "primary_market": string | null;
          "raw_event_retention_days": number;
          "settings": NonNullable<Json>;
          "slug": string;
          "stripe_account_id": string | null;
          "subscription_ends_at": string | null;
          "subscription_status": Database["public"]["Enums"]["subscription_status"];
          "tax_id": string | null;
          "timezone": string;
          "updated_at": string;
        };
        SetofOptions: {
          from: "*";
          to: "workspaces";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "cross_post": {
        Args: { "connection_id": string; "feed_id": string; "scheduled_for"?: string };
        Returns: string;
      };
      "discover_feed": {
        Args: {
          "before_id"?: string;
          "before_published_at"?: string;
          "max_rows"?: number;
          "tag"?: string;
        };
        Returns: {
          "caption": string | null;
          "comment_count": number | null;
          "created_at": string;
          "feed_type": Database["public"]["Enums"]["feed_type"];
          "id": string;
          "like_count": number | null;
          "location": Json | null;
          "media_paths": (string)[];
          "published_at": string | null;
          "share_count": number | null;
          "status": Database["public"]["Enums"]["feed_status"];
          "tags": (string)[];
          "thumbnail_path": string | null;
          "updated_at": string;
          "user_id": string;
          "view_count": number | null;
          "visibility": Database["public"]["Enums"]["feed_visibility"];
          "workspace_id": string | null;
        }[];
        SetofOptions: {
          from: "*";
          to: "feed_posts";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "drop_agent": {
        Args: { "agent_id": number };
        Returns: {
          "agent_prefix": string;
          "created_at": string;
          "created_by": string;
          "id": number;
          "name": string;
          "user_id": string | null;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "agents";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "home_timeline": {
        Args: {
          "before_id"?: string;
          "before_published_at"?: string;
          "following_only"?: boolean;
          "max_rows"?: number;
        };
        Returns: {
          "caption": string | null;
          "comment_count": number | null;
          "created_at": string;
          "feed_type": Database["public"]["Enums"]["feed_type"];
          "id": string;
          "like_count": number | null;
          "location": Json | null;
          "media_paths": (string)[];
          "published_at": string | null;
          "share_count": number | null;
          "status": Database["public"]["Enums"]["feed_status"];
          "tags": (string)[];
          "thumbnail_path": string | null;
          "updated_at": string;
          "user_id": string;
          "view_count": number | null;
          "visibility": Database["public"]["Enums"]["feed_visibility"];
          "workspace_id": string | null;
        }[];
        SetofOptions: {
          from: "*";
          to: "feed_posts";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "hook_event_types": { Args: Record<PropertyKey, never>; Returns: (string)[] };
      "inbox": {
        Args: {
          "assignee_id"?: string;
          "before"?: string;
          "max_results"?: number;
          "status"?: Database["public"]["Enums"]["conversation_status"];
          "unread_only"?: boolean;
        };
        Returns: {
          "assignee_id": string | null;
          "channel_id": string;
          "chat_id": string;
          "closed_at": string | null;
          "contact_id": string | null;
          "created_at": string;
          "custom_wallpaper": string | null;
          "display_id": number;
          "group_id": string | null;
          "id": string;
          "is_archived": boolean;
          "is_muted": boolean;
          "is_pinned": boolean;
          "last_inbound_at": string | null;
          "last_message_at": string | null;
          "last_message_direction": Database["public"]["Enums"]["message_direction"] | null;
          "last_message_id": string | null;
          "last_message_preview": string | null;
          "mute_until": string | null;
          "notification_settings": Json | null;
          "status": Database["public"]["Enums"]["conversation_status"];
          "title": string | null;
          "type": Database["public"]["Enums"]["conversation_type"];
          "unread_count": number;
          "updated_at": string;
          "window_expires_at": string | null;
          "workspace_id": string;
        }[];
        SetofOptions: {
          from: "*";
          to: "conversations";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "invite_member": {
        Args: {
          "email": string;
          "role"?: Database["public"]["Enums"]["member_role"];
          "valid_for"?: string;
          "workspace_id": string;
        };
        Returns: {
          "expires_at": string;
          "invitation_id": string;
          "token": string;
        }[];
      };
      "mark_notifications_read": { Args: { "ids"?: (string)[] }; Returns: number };
      "my_purchases": {
        Args: { "before_at"?: string; "before_order_id"?: string; "max_rows"?: number };
        Returns: {
          "amount_paid": number;
          "currency": string;
          "customisations": Json;
          "order_id": string;
          "order_number": string;
          "ordered_at": string;
          "payment_status": Database["public"]["Enums"]["payment_status"];
          "product_id": string;
          "product_title": string;
          "quantity": number;
          "region": string;
          "seller_name": string;
          "status": Database["public"]["Enums"]["work_order_status"];
          "total_amount": number;
        }[];
      };
      "pause_campaign": {
        Args: { "campaign_id": string };
        Returns: {
          "cancelled_at": string | null;
          "channel_id": string;
          "completed_at": string | null;
          "counted_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "delivered_count": number;
          "description": string | null;
          "failed_count": number;
          "id": string;
          "last_error": string | null;
          "media_type": Database["public"]["Enums"]["message_type"] | null;
          "media_url": string | null;
          "message_content": string | null;
          "name": string;
          "paused_at": string | null;
          "read_count": number;
          "scheduled_at": string | null;
          "sent_count": number;
          "skipped_count": number;
          "started_at": string | null;
          "status": Database["public"]["Enums"]["campaign_status"];
          "target_criteria": NonNullable<Json>;
          "target_type": Database["public"]["Enums"]["campaign_target"];
          "template_id": string | null;
          "template_params": Json | null;
          "total_recipients": number;
          "updated_at": string;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "campaigns";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "profile_feed": {
        Args: {
          "before_id"?: string;
          "before_published_at"?: string;
          "max_rows"?: number;
          "user_id"?: string;
          "workspace_id"?: string;
        };
        Returns: {
          "caption": string | null;
          "comment_count": number | null;
          "created_at": string;
          "feed_type": Database["public"]["Enums"]["feed_type"];
          "id": string;
          "like_count": number | null;
          "location": Json | null;
          "media_paths": (string)[];
          "published_at": string | null;
          "share_count": number | null;
          "status": Database["public"]["Enums"]["feed_status"];
          "tags": (string)[];
          "thumbnail_path": string | null;
          "updated_at": string;
          "user_id": string;
          "view_count": number | null;
          "visibility": Database["public"]["Enums"]["feed_visibility"];
          "workspace_id": string | null;
        }[];
        SetofOptions: {
          from: "*";
          to: "feed_posts";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "record_feed_views": { Args: { "ids": (string)[] }; Returns: number };
      "record_payment": {
        Args: {
          "amount": number;
          "currency": string;
          "invoice_id"?: string;
          "method"?: string;
          "note"?: string;
          "order_id"?: string;
          "paid_at"?: string;
        };
        Returns: {
          "amount": number;
          "category": string;
          "contact_id": string | null;
          "created_at": string;
          "created_by": string | null;
          "currency": string;
          "date": string;
          "description": string | null;
          "id": string;
          "invoice_id": string | null;
          "metadata": NonNullable<Json>;
          "order_id": string | null;
          "payment_method": string | null;
          "transaction_type": Database["public"]["Enums"]["transaction_type"];
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "transactions";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "record_refund": {
        Args: {
          "amount": number;
          "currency": string;
          "invoice_id"?: string;
          "method"?: string;
          "note"?: string;
          "order_id"?: string;
          "paid_at"?: string;
        };
        Returns: {
          "amount": number;
          "category": string;
          "contact_id": string | null;
          "created_at": string;
          "created_by": string | null;
          "currency": string;
          "date": string;
          "description": string | null;
          "id": string;
          "invoice_id": string | null;
          "metadata": NonNullable<Json>;
          "order_id": string | null;
          "payment_method": string | null;
          "transaction_type": Database["public"]["Enums"]["transaction_type"];
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "transactions";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "remove_member": { Args: { "user_id": string; "workspace_id": string }; Returns: undefined };
      "replay_dead_letters": {
        Args: {
          "event_type"?: string;
          "hook_id"?: string;
          "ids"?: (string)[];
          "workspace_id": string;
        };
        Returns: number;
      };
      "replay_webhook_events": {
        Args: {
          "channel_id"?: string;
          "error_contains"?: string;
          "event_ids"?: (number)[];
          "max_events"?: number;
          "provider"?: Database["public"]["Enums"]["channel_provider"];
          "since"?: string;
          "until"?: string;
          "workspace_id": string;
        };
        Returns: {
          "error": string;
          "event_id": number;
          "status": string;
        }[];
      };
      "resume_campaign": {
        Args: { "campaign_id": string };
        Returns: {
          "cancelled_at": string | null;
          "channel_id": string;
          "completed_at": string | null;
          "counted_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "delivered_count": number;
          "description": string | null;
          "failed_count": number;
          "id": string;
          "last_error": string | null;
          "media_type": Database["public"]["Enums"]["message_type"] | null;
          "media_url": string | null;
          "message_content": string | null;
          "name": string;
          "paused_at": string | null;
          "read_count": number;
          "scheduled_at": string | null;
          "sent_count": number;
          "skipped_count": number;
          "started_at": string | null;
          "status": Database["public"]["Enums"]["campaign_status"];
          "target_criteria": NonNullable<Json>;
          "target_type": Database["public"]["Enums"]["campaign_target"];
          "template_id": string | null;
          "template_params": Json | null;
          "total_recipients": number;
          "updated_at": string;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "campaigns";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "retry_message": {
        Args: { "message_id": string };
        Returns: {
          "automation_id": string | null;
          "campaign_id": string | null;
          "channel_id": string;
          "contact_id": string | null;
          "content": string | null;
          "conversation_id": string;
          "created_at": string;
          "created_by": string | null;
          "deleted_at": string | null;
          "delivered_at": string | null;
          "direction": Database["public"]["Enums"]["message_direction"];
          "edited_at": string | null;
          "error_code": number | null;
          "error_message": string | null;
          "error_title": string | null;
          "errors": Json | null;
          "event_id": string | null;
          "failed_at": string | null;
          "forward_score": number;
          "hook_id": string | null;
          "id": string;
          "idempotency_key": string | null;
          "invoice_id": string | null;
          "is_forwarded": boolean;
          "is_starred": boolean;
          "location_address": string | null;
          "location_latitude": number | null;
          "location_longitude": number | null;
          "location_name": string | null;
          "media_duration": number | null;
          "media_filename": string | null;
          "media_id": string | null;
          "media_mime_type": string | null;
          "media_path": string | null;
          "media_sha256": string | null;
          "media_size": number | null;
          "media_url": string | null;
          "mentions": (string)[];
          "order_id": string | null;
          "participant_jid": string | null;
          "payload": Json | null;
          "provider_message_id": string | null;
          "provider_timestamp": string | null;
          "provider_type": string | null;
          "push_name": string | null;
          "quoted_content": string | null;
          "quoted_message_id": string | null;
          "quoted_provider_message_id": string | null;
          "reaction_emoji": string | null;
          "reaction_target_id": string | null;
          "reactions": NonNullable<Json>;
          "read_at": string | null;
          "recipient_identifier": string | null;
          "remote_jid": string | null;
          "sender_identifier": string | null;
          "sent_at": string | null;
          "status": Database["public"]["Enums"]["message_status"];
          "template_id": string | null;
          "template_params": Json | null;
          "type": Database["public"]["Enums"]["message_type"];
          "updated_at": string;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "messages";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "revoke_api_key": { Args: { "key_id": string }; Returns: undefined };
      "revoke_invitation": { Args: { "invitation_id": string }; Returns: undefined };
      "rotate_hook_secret": { Args: { "hook_id": string; "overlap"?: string }; Returns: string };
      "schedule_campaign": {
        Args: { "campaign_id": string; "scheduled_at": string };
        Returns: {
          "cancelled_at": string | null;
          "channel_id": string;
          "completed_at": string | null;
          "counted_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "delivered_count": number;
          "description": string | null;
          "failed_count": number;
          "id": string;
          "last_error": string | null;
          "media_type": Database["public"]["Enums"]["message_type"] | null;
          "media_url": string | null;
          "message_content": string | null;
          "name": string;
          "paused_at": string | null;
          "read_count": number;
          "scheduled_at": string | null;
          "sent_count": number;
          "skipped_count": number;
          "started_at": string | null;
          "status": Database["public"]["Enums"]["campaign_status"];
          "target_criteria": NonNullable<Json>;
          "target_type": Database["public"]["Enums"]["campaign_target"];
          "template_id": string | null;
          "template_params": Json | null;
          "total_recipients": number;
          "updated_at": string;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "campaigns";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "search_contacts": {
        Args: { "max_results"?: number; "query": string };
        Returns: Database["public"]["CompositeTypes"]["contact_search_result"][];
        SetofOptions: {
          from: "*";
          to: "contact_search_result";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "search_messages": {
        Args: { "conversation_id"?: string; "max_results"?: number; "query": string };
        Returns: Database["public"]["CompositeTypes"]["message_search_result"][];
        SetofOptions: {
          from: "*";
          to: "message_search_result";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "send_message": {
        Args: {
          "content"?: string;
          "conversation_id": string;
          "idempotency_key"?: string;
          "media_path"?: string;
          "media_type"?: Database["public"]["Enums"]["message_type"];
          "media_url"?: string;
          "reply_to"?: string;
          "template_language"?: string;
          "template_name"?: string;
          "template_params"?: Json;
        };
        Returns: {
          "automation_id": string | null;
          "campaign_id": string | null;
          "channel_id": string;
          "contact_id": string | null;
          "content": string | null;
          "conversation_id": string;
          "created_at": string;
          "created_by": string | null;
          "deleted_at": string | null;
          "delivered_at": string | null;
          "direction": Database["public"]["Enums"]["message_direction"];
          "edited_at": string | null;
          "error_code": number | null;
          "error_message": string | null;
          "error_title": string | null;
          "errors": Json | null;
          "event_id": string | null;
          "failed_at": string | null;
          "forward_score": number;
          "hook_id": string | null;
          "id": string;
          "idempotency_key": string | null;
          "invoice_id": string | null;
          "is_forwarded": boolean;
          "is_starred": boolean;
          "location_address": string | null;
          "location_latitude": number | null;
          "location_longitude": number | null;
          "location_name": string | null;
          "media_duration": number | null;
          "media_filename": string | null;
          "media_id": string | null;
          "media_mime_type": string | null;
          "media_path": string | null;
          "media_sha256": string | null;
          "media_size": number | null;
          "media_url": string | null;
          "mentions": (string)[];
          "order_id": string | null;
          "participant_jid": string | null;
          "payload": Json | null;
          "provider_message_id": string | null;
          "provider_timestamp": string | null;
          "provider_type": string | null;
          "push_name": string | null;
          "quoted_content": string | null;
          "quoted_message_id": string | null;
          "quoted_provider_message_id": string | null;
          "reaction_emoji": string | null;
          "reaction_target_id": string | null;
          "reactions": NonNullable<Json>;
          "read_at": string | null;
          "recipient_identifier": string | null;
          "remote_jid": string | null;
          "sender_identifier": string | null;
          "sent_at": string | null;
          "status": Database["public"]["Enums"]["message_status"];
          "template_id": string | null;
          "template_params": Json | null;
          "type": Database["public"]["Enums"]["message_type"];
          "updated_at": string;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "messages";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "send_test_event": { Args: { "hook_id": string }; Returns: string };
      "set_channel_credentials": {
        Args: { "channel_id": string; "credentials": Json };
        Returns: (string)[];
      };
      "set_hook_secret_headers": {
        Args: { "headers": Json; "hook_id": string };
        Returns: (string)[];
      };
      "start_campaign": {
        Args: { "campaign_id": string };
        Returns: {
          "cancelled_at": string | null;
          "channel_id": string;
          "completed_at": string | null;
          "counted_at": string | null;
          "created_at": string;
          "created_by": string | null;
          "delivered_count": number;
          "description": string | null;
          "failed_count": number;
          "id": string;
          "last_error": string | null;
          "media_type": Database["public"]["Enums"]["message_type"] | null;
          "media_url": string | null;
          "message_content": string | null;
          "name": string;
          "paused_at": string | null;
          "read_count": number;
          "scheduled_at": string | null;
          "sent_count": number;
          "skipped_count": number;
          "started_at": string | null;
          "status": Database["public"]["Enums"]["campaign_status"];
          "target_criteria": NonNullable<Json>;
          "target_type": Database["public"]["Enums"]["campaign_target"];
          "template_id": string | null;
          "template_params": Json | null;
          "total_recipients": number;
          "updated_at": string;
          "workspace_id": string;
        };
        SetofOptions: {
          from: "*";
          to: "campaigns";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "sync_templates": { Args: { "channel_id": string }; Returns: boolean };
      "verify_phone_number": { Args: { "channel_id": string }; Returns: boolean };
    };
    Enums: {
      "account_type": "business" | "customer";
      "agent_table_kind": "customers" | "messages" | "orders" | "orders_items";
      "automation_run_status": "succeeded" | "failed" | "skipped";
      "automation_type": "keyword_reply" | "scheduled_message" | "auto_assign" | "follow_up";
      "business_type":
        | "tailor"
        | "fashion_designer"
        | "manufacturer"
        | "influencer"
        | "retail"
        | "services"
        | "other";
      "campaign_recipient_status":
        | "queued"
        | "sending"
        | "sent"
        | "delivered"
        | "read"
        | "failed"
        | "skipped";
      "campaign_status":
        | "draft"
        | "scheduled"
        | "running"
        | "paused"
        | "completed"
        | "cancelled"
        | "failed";
      "campaign_target": "all_contacts" | "selected_contacts" | "groups" | "labels";
      "channel_provider": "cloud_api" | "evolution" | "whatsmeow";
      "channel_status":
        | "connected"
        | "disconnected"
        | "connecting"
        | "error"
        | "qr_pending"
        | "pairing";
      "channel_type": "whatsapp" | "telegram" | "sms" | "email";
      "contact_status": "active" | "prospect" | "inactive";
      "conversation_status": "open" | "pending" | "closed" | "expired";
      "conversation_type": "individual" | "group";
      "cross_post_status": "pending" | "scheduled" | "posted" | "failed";
      "event_reminder_channel": "in_app" | "whatsapp";
      "event_reminder_kind": "reminder" | "cancellation";
      "event_reminder_status": "pending" | "sent" | "failed" | "cancelled";
      "event_status": "scheduled" | "completed" | "cancelled";
      "event_type": "meeting" | "deadline" | "reminder" | "appointment";
      "feed_share_target": "internal" | "instagram" | "tiktok";
      "feed_status": "draft" | "published" | "archived" | "deleted";
      "feed_type": "image" | "video" | "carousel";
      "feed_visibility": "public" | "followers" | "private";
      "goal_period": "monthly" | "yearly";
      "goal_status": "active" | "completed" | "archived";
      "group_role": "member" | "admin" | "super_admin";
      "interaction_type": "call" | "email" | "meeting" | "note" | "order" | "payment";
      "inventory_movement_type": "stock-in" | "stock-out" | "adjustment" | "return";
      "inventory_status": "in-stock" | "low-stock" | "out-of-stock";
      "invitation_status": "pending" | "accepted" | "revoked" | "expired";
      "invoice_notice": "sent" | "overdue";
      "invoice_status": "draft" | "sent" | "paid" | "overdue" | "cancelled";
      "log_level": "debug" | "info" | "warning" | "error" | "critical";
      "media_status": "pending" | "stored" | "failed" | "expired" | "removed";
      "media_type": "none" | "image" | "video" | "audio" | "document" | "sticker";
      "member_role": "viewer" | "member" | "admin" | "owner";
      "member_status": "active" | "suspended";
      "message_direction": "inbound" | "outbound";
      "message_status": "pending" | "sent" | "delivered" | "read" | "played" | "failed" | "deleted";
      "message_type":
        | "text"
        | "image"
        | "video"
        | "audio"
        | "document"
        | "sticker"
        | "location"
        | "contacts"
        | "reaction"
        | "interactive"
        | "button"
        | "order"
        | "poll"
        | "list"
        | "template"
        | "system"
        | "unsupported";
      "order_status":
        | "pending"
        | "confirmed"
        | "processing"
        | "shipped"
        | "delivered"
        | "cancelled"
        | "refunded";
      "payment_status": "unpaid" | "partial" | "paid";
      "platform_role": "user" | "admin" | "super_admin";
      "priority_level": "low" | "medium" | "high" | "urgent";
      "product_status": "draft" | "published" | "archived";
      "profile_status": "pending" | "active" | "suspended" | "deleted";
      "social_platform": "instagram" | "tiktok";
      "split_type": "percentage" | "fixed_amount";
      "subscription_status": "trialing" | "active" | "past_due" | "suspended" | "cancelled";
      "task_status": "to_do" | "in_progress" | "done";
      "task_sub_status": "waiting_reply" | "blocked" | "scheduled" | "review";
      "template_category": "MARKETING" | "UTILITY" | "AUTHENTICATION";
      "template_status": "APPROVED" | "PENDING" | "REJECTED" | "PAUSED" | "DISABLED";
      "transaction_type": "income" | "expense";
      "verification_status": "sent" | "delivered" | "failed" | "verified";
      "verification_type": "email" | "sms" | "whatsapp";
      "work_order_status": "pending" | "in-progress" | "completed" | "cancelled";
      "workspace_plan": "free" | "basic" | "premium" | "enterprise";
    };
    CompositeTypes: {
      "contact_search_result": {
        "id": string | null;
        "workspace_id": string | null;
        "name": string | null;
        "phone": string | null;
        "email": string | null;
        "company": string | null;
        "last_message_at": string | null;
        "rank": number | null;
      };
      "message_search_result": {
        "id": string | null;
        "workspace_id": string | null;
        "conversation_id": string | null;
        "channel_id": string | null;
        "contact_id": string | null;
        "direction": Database["public"]["Enums"]["message_direction"] | null;
        "type": Database["public"]["Enums"]["message_type"] | null;
        "content": string | null;
        "created_at": string | null;
        "rank": number | null;
        "snippet": string | null;
      };
    };
  };
};

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">;

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">];

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof (
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
    )
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals } ? (
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
  )[TableName] extends {
    Row: infer R;
  } ? R
  : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R;
    } ? R
    : never
  : never;

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends
    {
      Insert: infer I;
    } ? I
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I;
    } ? I
    : never
  : never;

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends
    {
      Update: infer U;
    } ? U
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U;
    } ? U
    : never
  : never;

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never;

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never,
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][
    CompositeTypeName
  ]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never;

export const Constants = {
  "public": {
    Enums: {
      "account_type": ["business", "customer"],
      "agent_table_kind": ["customers", "messages", "orders", "orders_items"],
      "automation_run_status": ["succeeded", "failed", "skipped"],
      "automation_type": ["keyword_reply", "scheduled_message", "auto_assign", "follow_up"],
      "business_type": [
        "tailor",
        "fashion_designer",
        "manufacturer",
        "influencer",
        "retail",
        "services",
        "other",
      ],
      "campaign_recipient_status": [
        "queued",
        "sending",
        "sent",
        "delivered",
        "read",
        "failed",
        "skipped",
      ],
      "campaign_status": [
        "draft",
        "scheduled",
        "running",
        "paused",
        "completed",
        "cancelled",
        "failed",
      ],
      "campaign_target": ["all_contacts", "selected_contacts", "groups", "labels"],
      "channel_provider": ["cloud_api", "evolution", "whatsmeow"],
      "channel_status": [
        "connected",
        "disconnected",
        "connecting",
        "error",
        "qr_pending",
        "pairing",
      ],
      "channel_type": ["whatsapp", "telegram", "sms", "email"],
      "contact_status": ["active", "prospect", "inactive"],
      "conversation_status": ["open", "pending", "closed", "expired"],
      "conversation_type": ["individual", "group"],
      "cross_post_status": ["pending", "scheduled", "posted", "failed"],
      "event_reminder_channel": ["in_app", "whatsapp"],
      "event_reminder_kind": ["reminder", "cancellation"],
      "event_reminder_status": ["pending", "sent", "failed", "cancelled"],
      "event_status": ["scheduled", "completed", "cancelled"],
      "event_type": ["meeting", "deadline", "reminder", "appointment"],
      "feed_share_target": ["internal", "instagram", "tiktok"],
      "feed_status": ["draft", "published", "archived", "deleted"],
      "feed_type": ["image", "video", "carousel"],
      "feed_visibility": ["public", "followers", "private"],
      "goal_period": ["monthly", "yearly"],
      "goal_status": ["active", "completed", "archived"],
      "group_role": ["member", "admin", "super_admin"],
      "interaction_type": ["call", "email", "meeting", "note", "order", "payment"],
      "inventory_movement_type": ["stock-in", "stock-out", "adjustment", "return"],
      "inventory_status": ["in-stock", "low-stock", "out-of-stock"],
      "invitation_status": ["pending", "accepted", "revoked", "expired"],
      "invoice_notice": ["sent", "overdue"],
      "invoice_status": ["draft", "sent", "paid", "overdue", "cancelled"],
      "log_level": ["debug", "info", "warning", "error", "critical"],
      "media_status": ["pending", "stored", "failed", "expired", "removed"],
      "media_type": ["none", "image", "video", "audio", "document", "sticker"],
      "member_role": ["viewer", "member", "admin", "owner"],
      "member_status": ["active", "suspended"],
      "message_direction": ["inbound", "outbound"],
      "message_status": ["pending", "sent", "delivered", "read", "played", "failed", "deleted"],
      "message_type": [
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "reaction",
        "interactive",
        "button",
        "order",
        "poll",
        "list",
        "template",
        "system",
        "unsupported",
      ],
      "order_status": [
        "pending",
        "confirmed",
        "processing",
        "shipped",
        "delivered",
        "cancelled",
        "refunded",
      ],
      "payment_status": ["unpaid", "partial", "paid"],
      "platform_role": ["user", "admin", "super_admin"],
      "priority_level": ["low", "medium", "high", "urgent"],
      "product_status": ["draft", "published", "archived"],
      "profile_status": ["pending", "active", "suspended", "deleted"],
      "social_platform": ["instagram", "tiktok"],
      "split_type": ["percentage", "fixed_amount"],
      "subscription_status": ["trialing", "active", "past_due", "suspended", "cancelled"],
      "task_status": ["to_do", "in_progress", "done"],
      "task_sub_status": ["waiting_reply", "blocked", "scheduled", "review"],
      "template_category": ["MARKETING", "UTILITY", "AUTHENTICATION"],
      "template_status": ["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"],
      "transaction_type": ["income", "expense"],
      "verification_status": ["sent", "delivered", "failed", "verified"],
      "verification_type": ["email", "sms", "whatsapp"],
      "work_order_status": ["pending", "in-progress", "completed", "cancelled"],
      "workspace_plan": ["free", "basic", "premium", "enterprise"],
    },
  },
} as const;
