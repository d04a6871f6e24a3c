CREATE TABLE `candidate_inputs` (
	`candidate_id` integer NOT NULL,
	`dataset_id` integer NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`candidate_id`, `dataset_id`),
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `inputs_dataset_idx` ON `candidate_inputs` (`dataset_id`);--> statement-breakpoint
CREATE TABLE `candidate_model_io` (
	`candidate_id` integer NOT NULL,
	`model_id` text NOT NULL,
	`direction` text NOT NULL,
	`step` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`candidate_id`, `model_id`, `direction`),
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `candidate_params` (
	`candidate_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`candidate_id`, `key`),
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `params_key_value_idx` ON `candidate_params` (`key`,`value`);--> statement-breakpoint
CREATE TABLE `candidate_tags` (
	`candidate_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`candidate_id`, `key`),
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `candidates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`project_id` integer NOT NULL,
	`experiment_id` integer NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'RUNNING' NOT NULL,
	`mlflow_user` text DEFAULT '' NOT NULL,
	`user_id` integer,
	`start_time` integer NOT NULL,
	`end_time` integer,
	`lifecycle_stage` text DEFAULT 'active' NOT NULL,
	`deleted_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `candidates_run_id_unique` ON `candidates` (`run_id`);--> statement-breakpoint
CREATE INDEX `candidates_experiment_start_idx` ON `candidates` (`experiment_id`,`start_time`,`run_id`);--> statement-breakpoint
CREATE INDEX `candidates_experiment_name_idx` ON `candidates` (`experiment_id`,`name`);--> statement-breakpoint
CREATE INDEX `candidates_project_idx` ON `candidates` (`project_id`);--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`experiment_id` integer NOT NULL,
	`name` text NOT NULL,
	`digest` text NOT NULL,
	`source_type` text NOT NULL,
	`source` text NOT NULL,
	`schema` text,
	`profile` text,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_identity_idx` ON `datasets` (`experiment_id`,`name`,`digest`);--> statement-breakpoint
CREATE TABLE `experiment_tags` (
	`experiment_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`experiment_id`, `key`),
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `experiments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`iid` integer NOT NULL,
	`name` text NOT NULL,
	`lifecycle_stage` text DEFAULT 'active' NOT NULL,
	`user_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `experiments_iid_idx` ON `experiments` (`project_id`,`iid`);--> statement-breakpoint
CREATE UNIQUE INDEX `experiments_name_idx` ON `experiments` (`project_id`,`name`);--> statement-breakpoint
CREATE INDEX `experiments_updated_idx` ON `experiments` (`project_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `latest_metrics` (
	`candidate_id` integer NOT NULL,
	`key` text NOT NULL,
	`step` integer NOT NULL,
	`timestamp` integer NOT NULL,
	`value` real NOT NULL,
	`is_nan` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`candidate_id`, `key`),
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `latest_metrics_key_value_idx` ON `latest_metrics` (`key`,`value`);--> statement-breakpoint
CREATE TABLE `logged_model_metrics` (
	`model_seq` integer NOT NULL,
	`key` text NOT NULL,
	`step` integer NOT NULL,
	`timestamp` integer NOT NULL,
	`value` real NOT NULL,
	`is_nan` integer DEFAULT false NOT NULL,
	`run_id` text,
	`dataset_name` text,
	`dataset_digest` text,
	PRIMARY KEY(`model_seq`, `key`, `step`, `timestamp`, `value`, `is_nan`),
	FOREIGN KEY (`model_seq`) REFERENCES `logged_models`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `logged_model_params` (
	`model_seq` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`model_seq`, `key`),
	FOREIGN KEY (`model_seq`) REFERENCES `logged_models`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `logged_model_tags` (
	`model_seq` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`model_seq`, `key`),
	FOREIGN KEY (`model_seq`) REFERENCES `logged_models`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `logged_models` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`project_id` integer NOT NULL,
	`experiment_id` integer NOT NULL,
	`name` text NOT NULL,
	`source_run_id` text,
	`model_type` text,
	`status` text DEFAULT 'LOGGED_MODEL_PENDING' NOT NULL,
	`status_message` text,
	`lifecycle_stage` text DEFAULT 'active' NOT NULL,
	`user_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `logged_models_id_unique` ON `logged_models` (`id`);--> statement-breakpoint
CREATE INDEX `logged_models_experiment_idx` ON `logged_models` (`experiment_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `metrics` (
	`candidate_id` integer NOT NULL,
	`key` text NOT NULL,
	`step` integer NOT NULL,
	`timestamp` integer NOT NULL,
	`value` real NOT NULL,
	`is_nan` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`candidate_id`, `key`, `step`, `timestamp`, `value`, `is_nan`),
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `model_aliases` (
	`registered_model_id` integer NOT NULL,
	`alias` text NOT NULL,
	`model_version_id` integer NOT NULL,
	PRIMARY KEY(`registered_model_id`, `alias`),
	FOREIGN KEY (`registered_model_id`) REFERENCES `registered_models`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `model_version_tags` (
	`model_version_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`model_version_id`, `key`),
	FOREIGN KEY (`model_version_id`) REFERENCES `model_versions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `model_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`registered_model_id` integer NOT NULL,
	`version` integer NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`source` text NOT NULL,
	`candidate_id` integer,
	`run_link` text DEFAULT '' NOT NULL,
	`logged_model_id` text,
	`status` text DEFAULT 'READY' NOT NULL,
	`status_message` text,
	`current_stage` text DEFAULT 'None' NOT NULL,
	`user_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`registered_model_id`) REFERENCES `registered_models`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_versions_number_idx` ON `model_versions` (`registered_model_id`,`version`);--> statement-breakpoint
CREATE INDEX `model_versions_candidate_idx` ON `model_versions` (`candidate_id`);--> statement-breakpoint
CREATE TABLE `package_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`package_id` integer NOT NULL,
	`file_path` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`content_type` text NOT NULL,
	`r2_key` text NOT NULL,
	`user_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`package_id`) REFERENCES `packages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `package_files_path_idx` ON `package_files` (`package_id`,`file_path`);--> statement-breakpoint
CREATE TABLE `package_uploads` (
	`upload_id` text PRIMARY KEY NOT NULL,
	`package_id` integer NOT NULL,
	`file_path` text NOT NULL,
	`r2_key` text NOT NULL,
	`user_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`package_id`) REFERENCES `packages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `packages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`package_type` text DEFAULT 'generic' NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `packages_identity_idx` ON `packages` (`project_id`,`package_type`,`name`,`version`);--> statement-breakpoint
CREATE TABLE `personal_access_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`scopes` text NOT NULL,
	`expires_at` integer,
	`revoked` integer DEFAULT false NOT NULL,
	`last_used_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `personal_access_tokens_token_hash_unique` ON `personal_access_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `pat_user_idx` ON `personal_access_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `project_members` (
	`project_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`access_level` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	PRIMARY KEY(`project_id`, `user_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `members_user_idx` ON `project_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`namespace` text NOT NULL,
	`path` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_full_path_idx` ON `projects` (`namespace`,`path`);--> statement-breakpoint
CREATE TABLE `registered_model_tags` (
	`registered_model_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`registered_model_id`, `key`),
	FOREIGN KEY (`registered_model_id`) REFERENCES `registered_models`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `registered_models` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`user_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `registered_models_name_idx` ON `registered_models` (`project_id`,`name`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`csrf_token` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `sign_in_failures` (
	`login` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`password_hash` text,
	`is_admin` integer DEFAULT false NOT NULL,
	`is_blocked` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);