"""The `childfirst` console command.

`childfirst plan load FILE` runs the Django management command `plan_load FILE`;
`childfirst demo-data` runs `demo_data`. Any other Django command (migrate, shell,
createsuperuser, makemigrations …) passes straight through, so there is one entry point.
"""

from __future__ import annotations

import os
import sys

USAGE = """\
用法 / usage: childfirst [--lang zh-hans|en] COMMAND [ARGS]

  demo-data                      载入演示数据（幂等）/ load the demo (idempotent)
  serve [--host H] [--port P] [--no-worker]   启动网站及报告生成进程 / run the web app and the report worker
  plan load FILE                 载入或更新规划 / load or update a plan file
  plan check FILE                只校验不载入 / validate a plan file without loading it
  plan list [--json]             列出已载入的规划 / list the loaded plans
  plan show [--json]             列出指标目录 / list the indicator catalogue
  plan schema                    规划文件的 JSON Schema / the plan file's JSON Schema
  plan revise FILE [--dry-run]   载入目标调整 / load a plan's target revisions
  areas load FILE                载入区划 / load an area tree
  areas show                     列出区划 / list the area tree
  user create|list …             账号管理 / manage accounts
  token create USER | token revoke PREFIX   接口令牌 / API tokens
  data template --department D --year Y --out F.xlsx   填报模板 / Excel template
  data import FILE --user NAME   导入填报 / import a filled template (all or nothing)
  data export --year Y --out F.csv   导出数据 / export values (with derived district totals)
  data rules [FILE]              载入校验规则 / load validation rules
  data deadlines [--days N]      提醒临近截止的填报（每日）/ tell reporters a deadline is near (daily)
  evaluate --year Y [--json]     评估全区及各街镇 / evaluate the district and every street
  evaluate-series < series.json  评估单个序列 / evaluate one series (JSON on stdin)
  publish --year Y [--note N]    发布（冻结）评估 / publish a frozen evaluation
  report annual|midterm|final --year Y --out DIR [--version N]   监测评估报告 / Word and PDF reports
  report implementation --year Y --out DIR   成员单位实施报告汇编 / the departments' implementation reports compiled
  implementation escalate        逾期未办结的对策建议督办升级（每日）/ escalate overdue recommendations (daily)
  registry check | purge [--dry-run]   儿童档案检查、超期档案清除 / registry checks, purge of expired files
  registry escalate              逾期未研判的强制报告升级（每小时） / escalate overdue mandatory reports (hourly)
  registry aggregates --year Y [--apply --user U]   儿童信息平台汇总数 / registry counts for collection
  linkage import --source NAME FILE [--as-of DATE]   导入部门名单 / import a department list
  linkage run | discover | status   比对建档、主动发现、状态 / link the lists, raise verification tasks, status
  linkage purge                  清除超过保存期限的名单记录 / purge list records past their retention
  linkage pair LEFT RIGHT --out LINKS.csv [--id COLUMN]   比对两份名单 / link two lists (no database)
  backup --out FILE              备份整个数据库（不含密钥）/ back up the whole database (keys excluded)
  restore FILE                   恢复到空数据库并逐表核对 / restore into an empty database, verified
  cleanup [--dry-run]            按保存规则清理旧报告文件和导入原件 / drop documents past retention

作用于单个规划的命令（plan show、data template|import|export、evaluate、publish、report、registry aggregates）
可加 --plan CODE；不加时使用唯一的规划，载入多个规划时拒绝并列出它们。
Commands that work on one plan take --plan CODE; without it they use the only plan loaded, and refuse
(listing the plans) when several are loaded.

Django's own commands (migrate, shell, …) work too. `childfirst COMMAND --help` for details.
Database: DATABASE_URL (default: SQLite file under var/).
"""


# Django runs its system checks before every command, and they import every URL configuration and
# with it every view of the project: half of a data command's time (`plan list` 1.6 -> 0.8 s)
# for nothing it uses. The server runs them (at every start), and so does `childfirst check`; the
# project's other commands skip them. Django's own commands (migrate …) keep Django's behaviour.
CHECKED = {"serve"}


def resolve(argv: list[str], commands: set[str]) -> list[str]:
    """Map `plan load X` → `plan_load X` and `demo-data` → `demo_data`."""
    if len(argv) >= 2:
        joined = f"{argv[0]}_{argv[1]}".replace("-", "_")
        if joined in commands:
            return [joined, *argv[2:]]
    if argv and argv[0].replace("-", "_") in commands:
        return [argv[0].replace("-", "_"), *argv[1:]]
    return argv


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childfirst.settings")
    language = None
    if argv[:1] == ["--lang"] and len(argv) >= 2:
        language, argv = argv[1], argv[2:]
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0

    import django
    from django.conf import settings
    from django.core.management import execute_from_command_line, get_commands
    from django.utils import translation

    django.setup()
    translation.activate(language or settings.LANGUAGE_CODE)
    commands = get_commands()
    argv = resolve(argv, set(commands))
    if commands.get(argv[0], "").startswith("childfirst.") and argv[0] not in CHECKED:
        argv.insert(1, "--skip-checks")
    execute_from_command_line(["childfirst", *argv])
    return 0
