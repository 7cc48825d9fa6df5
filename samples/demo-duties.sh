#!/bin/sh
# Report duties (零报告) in minutes, on the stack `make run` started:
#   sh samples/demo-duties.sh
# Ten demonstration grids (no sample case was taken in there) owe a daily report with a
# cut-off 3 minutes from now; nine file (six zero, three naming a case). One of the zero
# reports is filed after a case from its grid was taken in: that one, and only that one, is
# flagged ("zero report, case found"). The tenth files nothing: at the cut-off it is reminded,
# 2 minutes later (the demo's scaled hour) its village is told (both through the outbox, to
# the channels configured: docs/notifications.md). Watch with `.venv/bin/python starter.py
# duties`: after the cut-off it says 9 of 10 reports on time (90%).
set -e
S=".venv/bin/python starter.py"
DIR=$(mktemp -d)
$S roster load samples/demo-duties-roster.csv
$S duties schedule --policy policies/demo-duties.toml --cutoff-in 3m
n=0
for pair in 钻石广场社区第九网格:冯网格员 钻石广场社区第十网格:陈网格员 海景社区第五网格:褚网格员 \
            千里村第三网格:卫网格员 千里村第四网格:沈网格员 东滩村第二网格:韩网格员 \
            东滩村第三网格:杨网格员 西山村第二网格:朱网格员 西山村第三网格:许网格员; do
  unit=${pair%%:*}; name=${pair#*:}; n=$((n + 1))
  $S tokens issue --name "$name" --unit "$unit" --role grid_worker > "$DIR/$n.token" 2>/dev/null
  if [ "$n" -le 5 ]; then
    $S duties file --token-file "$DIR/$n.token" > /dev/null                        # zero
  elif [ "$n" -eq 6 ]; then
    # A case from this grid is taken in first: its zero report is flagged.
    printf '%s\n' "{\"case_id\": \"DEMO-DUTY-$(date +%s)\", \"dispute_type\": \"neighbour\", \"title\": \"楼道堆放杂物引发争执\", \"location\": {\"county\": \"海博湾区\", \"township\": \"千里镇\", \"village\": \"东滩村\", \"grid\": \"$unit\"}, \"parties\": [{\"name\": \"某甲\", \"role\": \"applicant\"}], \"reported_at\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"reported_by\": {\"name\": \"$name\", \"role\": \"grid_worker\"}}" \
      | $S intake - > /dev/null
    sleep 3                                                                          # registered
    $S duties file --token-file "$DIR/$n.token" > /dev/null                        # zero: flagged
  else
    $S duties file --case HB-2026-000101 --note "在办" --token-file "$DIR/$n.token" > /dev/null
  fi
done
rm -rf "$DIR"
$S duties
echo "海景社区第四网格 has not filed: reminded at the cut-off, 海景社区 told 2 minutes later."
