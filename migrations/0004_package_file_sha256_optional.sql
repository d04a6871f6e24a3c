-- package_files.sha256 becomes optional: a file assembled from a multipart upload is not read
-- back whole to hash it. SQLite changes a column's constraint by rebuilding the table; nothing
-- references package_files, and D1 defers foreign key checks to the end of the migration.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_package_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`package_id` integer NOT NULL,
	`file_path` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text,
	`content_type` text NOT NULL,
	`r2_key` text NOT NULL,
	`user_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`package_id`) REFERENCES `packages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `__new_package_files`("id", "package_id", "file_path", "size", "sha256", "content_type", "r2_key", "user_id", "created_at") SELECT "id", "package_id", "file_path", "size", "sha256", "content_type", "r2_key", "user_id", "created_at" FROM `package_files`;--> statement-breakpoint
DROP TABLE `package_files`;--> statement-breakpoint
ALTER TABLE `__new_package_files` RENAME TO `package_files`;--> statement-breakpoint
CREATE UNIQUE INDEX `package_files_path_idx` ON `package_files` (`package_id`,`file_path`);