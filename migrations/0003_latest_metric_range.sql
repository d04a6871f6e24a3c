ALTER TABLE `latest_metrics` ADD `min_value` real;--> statement-breakpoint
ALTER TABLE `latest_metrics` ADD `max_value` real;--> statement-breakpoint
UPDATE `latest_metrics` SET
  `min_value` = (SELECT min(m.`value`) FROM `metrics` m WHERE m.`candidate_id` = `latest_metrics`.`candidate_id` AND m.`key` = `latest_metrics`.`key` AND m.`is_nan` = 0),
  `max_value` = (SELECT max(m.`value`) FROM `metrics` m WHERE m.`candidate_id` = `latest_metrics`.`candidate_id` AND m.`key` = `latest_metrics`.`key` AND m.`is_nan` = 0);
