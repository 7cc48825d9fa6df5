#!/bin/sh
# A campaign window (专项行动) in minutes, on the stack `make run` started:
#   sh samples/demo-campaign.sh
# Two wage cases come in on policies/demo-campaign.toml, whose milestone is 6 minutes away:
# the first (no risk flag, green by itself) is graded yellow and due by the milestone; the
# second, ten workers unpaid (group_dispute), is red at the township with the county and the
# police station told at once. Neither is resolved: at the milestone the county supervises
# both. Watch with `.venv/bin/python starter.py status <case id>` and the daily report.
set -e
S=".venv/bin/python starter.py"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
stamp=$(date +%s)
place='"location": {"county": "海博湾区", "township": "千里镇", "village": "千里村", "grid": "千里村第一网格"}'
by='"reported_by": {"name": "孙网格员", "role": "grid_worker"}'
{
  printf '%s\n' "{\"case_id\": \"DEMO-CAMP-$stamp-1\", \"dispute_type\": \"wages\", \"complexity\": \"complex\", \"title\": \"装修工三个月工资未结\", $place, \"parties\": [{\"name\": \"某甲\", \"role\": \"applicant\"}, {\"name\": \"某装修公司\", \"role\": \"respondent\"}], \"reported_at\": \"$now\", $by}"
  printf '%s\n' "{\"case_id\": \"DEMO-CAMP-$stamp-2\", \"dispute_type\": \"wages\", \"complexity\": \"complex\", \"title\": \"工地十名农民工工资被拖欠\", \"risk_flags\": [\"group_dispute\", \"wage_arrears\"], $place, \"parties\": [{\"name\": \"某乙\", \"role\": \"applicant\"}, {\"name\": \"某建筑公司\", \"role\": \"respondent\"}], \"reported_at\": \"$now\", $by}"
} | $S intake - --policy policies/demo-campaign.toml
echo "cases DEMO-CAMP-$stamp-1 and -2: supervised by the county 6 minutes from now if still open"
