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
          "business_documents": Json | null;
          "business_type": Database["public"]["Enums"]["business_type"] | null;
          "created_at": string;
          "created_by": string | null;
          "cross_border_enabled": boolean;
          "description": string | null;
          "id": string;
          "is_personal": boolean;
          "logo_url": string | null;
          "max_channels": number;
          "max_members": number;
          "name": string;
          "operating_regions": (string)[];
          "plan": Database["public"]["Enums"]["workspace_plan"];
          "primary_market": string | null;
          "settings": NonNullable<Json>;
          "slug": string;
          "stripe_account_id": string | null;
          "subscription_ends_at": string | null;
          "subscription_status": Database["public"]["Enums"]["subscription_status"];
          "tax_id": string | null;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "business_documents"?: Json | null;
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "cross_border_enabled"?: boolean;
          "description"?: string | null;
          "id"?: string;
          "is_personal"?: boolean;
          "logo_url"?: string | null;
          "max_channels"?: number;
          "max_members"?: number;
          "name": string;
          "operating_regions"?: (string)[];
          "plan"?: Database["public"]["Enums"]["workspace_plan"];
          "primary_market"?: string | null;
          "settings"?: NonNullable<Json>;
          "slug": string;
          "stripe_account_id"?: string | null;
          "subscription_ends_at"?: string | null;
          "subscription_status"?: Database["public"]["Enums"]["subscription_status"];
          "tax_id"?: string | null;
          "updated_at"?: string;
        };
        Update: {
          "business_documents"?: Json | null;
          "business_type"?: Database["public"]["Enums"]["business_type"] | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "cross_border_enabled"?: boolean;
          "description"?: string | null;
          "id"?: string;
          "is_personal"?: boolean;
          "logo_url"?: string | null;
          "max_channels"?: number;
          "max_members"?: number;
          "name"?: string;
          "operating_regions"?: (string)[];
          "plan"?: Database["public"]["Enums"]["workspace_plan"];
          "primary_market"?: string | null;
          "settings"?: NonNullable<Json>;
          "slug"?: string;
          "stripe_account_id"?: string | null;
          "subscription_ends_at"?: string | null;
          "subscription_status"?: Database["public"]["Enums"]["subscription_status"];
          "tax_id"?: string | null;
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
      [_ in never]: never;
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
      "create_workspace": {
        Args: {
          "business_type"?: Database["public"]["Enums"]["business_type"];
          "name": string;
          "slug"?: string;
        };
        Returns: {
          "business_documents": Json | null;
          "business_type": Database["public"]["Enums"]["business_type"] | null;
          "created_at": string;
          "created_by": string | null;
          "cross_border_enabled": boolean;
          "description": string | null;
          "id": string;
          "is_personal": boolean;
          "logo_url": string | null;
          "max_channels": number;
          "max_members": number;
          "name": string;
          "operating_regions": (string)[];
          "plan": Database["public"]["Enums"]["workspace_plan"];
          "primary_market": string | null;
          "settings": NonNullable<Json>;
          "slug": string;
          "stripe_account_id": string | null;
          "subscription_ends_at": string | null;
          "subscription_status": Database["public"]["Enums"]["subscription_status"];
          "tax_id": string | null;
          "updated_at": string;
        };
        SetofOptions: {
          from: "*";
          to: "workspaces";
          isOneToOne: true;
          isSetofReturn: false;
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
      "remove_member": { Args: { "user_id": string; "workspace_id": string }; Returns: undefined };
      "revoke_api_key": { Args: { "key_id": string }; Returns: undefined };
      "revoke_invitation": { Args: { "invitation_id": string }; Returns: undefined };
    };
    Enums: {
      "account_type": "business" | "customer";
      "business_type":
        | "tailor"
        | "fashion_designer"
        | "manufacturer"
        | "influencer"
        | "retail"
        | "services"
        | "other";
      "invitation_status": "pending" | "accepted" | "revoked" | "expired";
      "log_level": "debug" | "info" | "warning" | "error" | "critical";
      "member_role": "viewer" | "member" | "admin" | "owner";
      "member_status": "active" | "suspended";
      "platform_role": "user" | "admin" | "super_admin";
      "profile_status": "pending" | "active" | "suspended" | "deleted";
      "subscription_status": "trialing" | "active" | "past_due" | "suspended" | "cancelled";
      "verification_status": "sent" | "delivered" | "failed" | "verified";
      "verification_type": "email" | "sms" | "whatsapp";
      "workspace_plan": "free" | "basic" | "premium" | "enterprise";
    };
    CompositeTypes: {
      [_ in never]: never;
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
      "business_type": [
        "tailor",
        "fashion_designer",
        "manufacturer",
        "influencer",
        "retail",
        "services",
        "other",
      ],
      "invitation_status": ["pending", "accepted", "revoked", "expired"],
      "log_level": ["debug", "info", "warning", "error", "critical"],
      "member_role": ["viewer", "member", "admin", "owner"],
      "member_status": ["active", "suspended"],
      "platform_role": ["user", "admin", "super_admin"],
      "profile_status": ["pending", "active", "suspended", "deleted"],
      "subscription_status": ["trialing", "active", "past_due", "suspended", "cancelled"],
      "verification_status": ["sent", "delivered", "failed", "verified"],
      "verification_type": ["email", "sms", "whatsapp"],
      "workspace_plan": ["free", "basic", "premium", "enterprise"],
    },
  },
} as const;
