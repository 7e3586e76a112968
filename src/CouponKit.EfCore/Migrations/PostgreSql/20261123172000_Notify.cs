using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CouponKit.EfCore.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Notify : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ck_outbox_Key_Status",
                table: "ck_outbox");

            migrationBuilder.CreateTable(
                name: "ck_notify",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    TemplateId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Date = table.Column<DateOnly>(type: "date", nullable: false),
                    NotifyAt = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    TemplateName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Channels = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_notify", x => new { x.UserId, x.TemplateId, x.Date });
                });

            migrationBuilder.CreateIndex(
                name: "IX_ck_outbox_Key_Status_Sequence",
                table: "ck_outbox",
                columns: new[] { "Key", "Status", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_ck_notify_NotifyAt",
                table: "ck_notify",
                column: "NotifyAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ck_notify");

            migrationBuilder.DropIndex(
                name: "IX_ck_outbox_Key_Status_Sequence",
                table: "ck_outbox");

            migrationBuilder.CreateIndex(
                name: "IX_ck_outbox_Key_Status",
                table: "ck_outbox",
                columns: new[] { "Key", "Status" });
        }
    }
}
