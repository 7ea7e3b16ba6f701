import sys
import bench_log_data
for r in bench_log_data.export_csv(sys.argv[1]): print(r)
