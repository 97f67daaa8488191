enable_ecs_worker = true
worker_memory     = 2048
