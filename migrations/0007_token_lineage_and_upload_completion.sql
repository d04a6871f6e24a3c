DROP TABLE `sign_in_failures`;--> statement-breakpoint
ALTER TABLE `package_uploads` ADD `completed_at` integer;--> statement-breakpoint
ALTER TABLE `package_uploads` ADD `completed_parts` text;--> statement-breakpoint
ALTER TABLE `personal_access_tokens` ADD `parent_id` integer;--> statement-breakpoint
CREATE INDEX `pat_parent_idx` ON `personal_access_tokens` (`parent_id`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `token_id` integer REFERENCES personal_access_tokens(id) ON DELETE cascade;--> statement-breakpoint
ALTER TABLE `sessions` ADD `ip_address` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `user_agent` text;--> statement-breakpoint
CREATE INDEX `sessions_token_idx` ON `sessions` (`token_id`);