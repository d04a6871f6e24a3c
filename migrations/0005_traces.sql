CREATE TABLE `trace_assessments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assessment_id` text NOT NULL,
	`trace_id` integer NOT NULL,
	`name` text NOT NULL,
	`valid` integer DEFAULT true NOT NULL,
	`body` text NOT NULL,
	FOREIGN KEY (`trace_id`) REFERENCES `traces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trace_assessments_assessment_id_unique` ON `trace_assessments` (`assessment_id`);--> statement-breakpoint
CREATE INDEX `trace_assessments_trace_idx` ON `trace_assessments` (`trace_id`);--> statement-breakpoint
CREATE TABLE `trace_metadata` (
	`trace_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`trace_id`, `key`),
	FOREIGN KEY (`trace_id`) REFERENCES `traces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `trace_metadata_key_value_idx` ON `trace_metadata` (`key`,`value`);--> statement-breakpoint
CREATE TABLE `trace_run_links` (
	`trace_id` integer NOT NULL,
	`run_id` text NOT NULL,
	PRIMARY KEY(`trace_id`, `run_id`),
	FOREIGN KEY (`trace_id`) REFERENCES `traces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `trace_run_links_run_idx` ON `trace_run_links` (`run_id`);--> statement-breakpoint
CREATE TABLE `trace_tags` (
	`trace_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`trace_id`, `key`),
	FOREIGN KEY (`trace_id`) REFERENCES `traces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `traces` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`trace_id` text NOT NULL,
	`project_id` integer NOT NULL,
	`experiment_id` integer NOT NULL,
	`request_time` integer NOT NULL,
	`execution_time` integer,
	`state` text NOT NULL,
	`request_preview` text,
	`response_preview` text,
	`client_request_id` text,
	`spans_size` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `traces_trace_id_idx` ON `traces` (`project_id`,`trace_id`);--> statement-breakpoint
CREATE INDEX `traces_experiment_time_idx` ON `traces` (`experiment_id`,`request_time`);