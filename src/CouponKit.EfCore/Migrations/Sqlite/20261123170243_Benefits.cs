using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CouponKit.EfCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Benefits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Draw",
                table: "ck_coupons",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "IssueSequence",
                table: "ck_coupons",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ck_dead_letter_audit",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Action = table.Column<int>(type: "INTEGER", nullable: false),
                    MessageId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ConsumerGroup = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Tag = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_dead_letter_audit", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ck_issuance_schedules",
                columns: table => new
                {
                    TemplateId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ScheduleId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    TemplateVersion = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    OwnerId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_issuance_schedules", x => x.TemplateId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_TemplateId_IssueSequence",
                table: "ck_coupons",
                columns: new[] { "TemplateId", "IssueSequence" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ck_dead_letter_audit");

            migrationBuilder.DropTable(
                name: "ck_issuance_schedules");

            migrationBuilder.DropIndex(
                name: "IX_ck_coupons_TemplateId_IssueSequence",
                table: "ck_coupons");

            migrationBuilder.DropColumn(
                name: "Draw",
                table: "ck_coupons");

            migrationBuilder.DropColumn(
                name: "IssueSequence",
                table: "ck_coupons");
        }
    }
}
